import Contracts
import Messaging
import ServiceKit

await ServiceMain.run(.messaging, build: { try await buildApplication(configuration: $0) })
