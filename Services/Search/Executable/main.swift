import Contracts
import Search
import ServiceKit

ServiceMain.runTasksOnEventLoops()
await ServiceMain.run(.search, build: { try await buildApplication(configuration: $0) })
