import Booking
import Contracts
import ServiceKit

ServiceMain.runTasksOnEventLoops()
await ServiceMain.run(.booking, build: { try await buildApplication(configuration: $0) })
