import Hummingbird

/// Until the service's schema is migrated, every route but the health routes answers 503 with `Retry-After`, so
/// that a caller retries instead of seeing errors from tables that do not exist yet.
struct StartupMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let migrations: SchemaMigrations

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard migrations.isApplied else {
            throw Problem(.serviceUnavailable, detail: "The service is starting.", headers: [.retryAfter: "1"])
        }
        return try await next(request, context)
    }
}
