import Contracts
import Hummingbird
import Logging

/// Guards one `/internal/v1/...` route: a caller without a valid service credential made for this service gets a
/// 404, so that the route does not even show it exists; a service that is not among the route's `callers` gets a
/// 403, so that a compromised peer reaches only what its work needs.
struct InternalRouteMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let credential: ServiceCredential
    let callers: Set<ServiceName>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard
            let token = request.headers[.authorization]?.bearerCredential,
            let caller = await credential.verify(String(token))
        else {
            throw Problem.notFound()
        }
        guard callers.contains(caller) else {
            throw Problem(.forbidden, detail: "\(caller.rawValue) may not call this route.", code: "caller_not_allowed")
        }
        var context = context
        context.logger[metadataKey: "caller"] = .string(caller.rawValue)
        return try await next(request, context)
    }
}
