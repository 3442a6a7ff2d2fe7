import Contracts
import Messaging
import ServiceKit

ServiceMain.runTasksOnEventLoops()
await ServiceMain.run(.messaging, build: { try await buildApplication(configuration: $0) })
