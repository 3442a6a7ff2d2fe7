import Contracts
import Foundation
import Hummingbird

/// A service's own check of the caller (defence in depth behind the gateway): a presented bearer token is
/// verified again and becomes the context's identity; a refused one is a 401 at once. Routes that need a caller
/// ask for ``ServiceRequestContext/requireIdentity()``. Internal routes are left to their own credential check.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    let authenticator: TokenAuthenticator

    public init(authenticator: TokenAuthenticator) {
        self.authenticator = authenticator
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/internal/") { return try await next(request, context) }
        let token = TokenAuthenticator.token(
            authorization: request.headers[.authorization],
            path: request.uri.path,
            token: request.uri.queryParameters.get("token")
        )
        guard let token else { return try await next(request, context) }
        var context = context
        do {
            let (identity, claims) = try await authenticator.authenticate(token)
            context.identity = identity
            context.claims = claims
            context.notes.userID = identity.userID.lowercasedString
        } catch let rejection as AccessTokenVerifier.Rejection {
            throw Problem.unauthorized(rejection.description)
        }
        return try await next(request, context)
    }
}

extension ServiceRequestContext {
    /// The verified caller, or a 401.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthorized() }
        return identity
    }

    /// The verified caller if they have one of `roles`; 401 without a caller, 403 with another role.
    public func requireRole(_ roles: Role...) throws -> Identity {
        let identity = try requireIdentity()
        guard roles.contains(identity.role) else { throw Problem.forbidden() }
        return identity
    }
}
