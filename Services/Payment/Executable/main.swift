import Contracts
import Payment
import ServiceKit

await ServiceMain.run(.payment, build: { try await buildApplication(configuration: $0) })
