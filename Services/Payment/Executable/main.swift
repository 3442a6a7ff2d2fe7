import Contracts
import Payment
import ServiceKit

await ServiceMain.run(.payment, build: buildApplication(configuration:))
