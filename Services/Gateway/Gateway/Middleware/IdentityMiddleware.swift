import Foundation
import Hummingbird
import ServiceKit

/// Verifies the access token if the request carries one (see ``TokenAuthenticator``). A verified caller becomes
/// the context's identity (the proxy forwards it as `X-User-Id` and `X-User-Role`, never what the client sent);
/// why a token was refused is kept for ``AccessMiddleware``.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let authenticator: TokenAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let token = TokenAuthenticator.token(
            authorization: request.headers[.authorization],
            path: request.uri.path,
            token: request.uri.queryParameters.get("token")
        )
        if let token {
            do {
                let identity = try await authenticator.identity(for: token)
                context.identity = identity
                context.notes.userID = identity.userID.uuidString.lowercased()
            } catch let rejection as AccessTokenVerifier.Rejection {
                context.authenticationFailure = rejection.description
            }
        }
        return try await next(request, context)
    }
}
