import Hummingbird
import ServiceKit

/// Refuses requests that need a signed-in user and have none: 401 with `WWW-Authenticate: Bearer` and the reason
/// the token was refused, if there was one.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let routes: RouteTable
    let rules: AccessRules

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if context.identity == nil, routes.service(for: request.uri.path) != nil, !rules.isPublic(request.method, request.uri.path) {
            throw Problem.unauthorized(context.authenticationFailure ?? "Sign in: this needs an access token.")
        }
        return try await next(request, context)
    }
}
