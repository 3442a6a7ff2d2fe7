import Hummingbird
import ServiceKit

/// Builds the Auth service: its schema migrated at start, `/health`, `/ready`, `/metrics` and its
/// OpenAPI document.
public func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(
        configuration: configuration,
        database: .init(schema: "auth", migrations: []),
        usesRedis: true
    )
    let router = runtime.makeRouter(openAPI: AuthAPI.document)
    return runtime.makeApplication(router: router)
}
