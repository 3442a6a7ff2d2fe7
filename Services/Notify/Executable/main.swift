import Contracts
import Notify
import ServiceKit

await ServiceMain.run(.notify, build: { try await buildApplication(configuration: $0) })
