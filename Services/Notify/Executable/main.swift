import Contracts
import Notify
import ServiceKit

await ServiceMain.run(.notify, build: buildApplication(configuration:))
