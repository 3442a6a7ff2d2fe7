import Contracts
import Search
import ServiceKit

await ServiceMain.run(.search, build: { try await buildApplication(configuration: $0) })
