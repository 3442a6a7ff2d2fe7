import Booking
import Contracts
import ServiceKit

await ServiceMain.run(.booking, build: { try await buildApplication(configuration: $0) })
