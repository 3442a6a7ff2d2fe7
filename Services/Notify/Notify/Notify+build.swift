import Hummingbird
import ServiceKit

/// Builds the Notify service: its schema migrated at start, `/health`, `/ready`, `/metrics` and its
/// OpenAPI document.
public func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(
        configuration: configuration,
        database: .init(migrations: []),
        usesRedis: false
    )
    let router = runtime.makeRouter(openAPI: NotifyAPI.document)
    return runtime.makeApplication(router: router)
}
