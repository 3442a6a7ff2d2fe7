import Hummingbird
import ServiceKit

/// Builds the Messaging service: its schema migrated at start, `/health`, `/ready`, `/metrics` and its
/// OpenAPI document.
public func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(
        configuration: configuration,
        database: .init(migrations: []),
        usesRedis: true
    )
    let router = runtime.makeRouter(openAPI: MessagingAPI.document)
    return runtime.makeApplication(router: router)
}
