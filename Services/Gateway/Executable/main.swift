import Contracts
import Gateway
import ServiceKit

ServiceMain.runTasksOnEventLoops()
await ServiceMain.run(.gateway, build: buildApplication(configuration:))
