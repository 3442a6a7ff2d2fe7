import Contracts
import Gateway
import ServiceKit

await ServiceMain.run(.gateway, build: buildApplication(configuration:))
