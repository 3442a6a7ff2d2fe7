import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit

/// Verifies the access token if the request carries one (in `Authorization: Bearer`, or for WebSocket upgrades
/// in the `token` query parameter): signature and claims through Auth's JWKS, and the revoked-`jti` deny-list in
/// Redis. A verified caller becomes the context's identity (the proxy forwards it as `X-User-Id` and
/// `X-User-Role`, never what the client sent); why a token was refused is kept for ``AccessMiddleware``.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let verifier: AccessTokenVerifier
    let redis: RedisClient
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = Self.token(in: request) {
            do {
                let claims = try await verifier.verify(token)
                guard let identity = claims.identity else { throw AccessTokenVerifier.Rejection(description: "The token has no valid subject.") }
                if try await isRevoked(jti: claims.tokenID) {
                    throw AccessTokenVerifier.Rejection(description: "The token has been revoked.")
                }
                context.identity = identity
                context.notes.userID = identity.userID.uuidString.lowercased()
            } catch let rejection as AccessTokenVerifier.Rejection {
                context.authenticationFailure = rejection.description
            }
        }
        return try await next(request, context)
    }

    static func token(in request: Request) -> String? {
        if let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            return String(authorization.dropFirst(7).trimmingOptionalWhitespace)
        }
        if request.uri.path == "/api/v1/messaging/ws" {
            return request.uri.queryParameters.get("token")
        }
        return nil
    }

    /// While Redis is unreachable the deny-list cannot be read; the token is then accepted (it is signed and
    /// expires within minutes, and the owning service verifies it again) and the gap is logged.
    private func isRevoked(jti: String) async throws -> Bool {
        do {
            return try await redis.send("EXISTS", RedisArgument(RevokedTokens.key(jti: jti))).int == 1
        } catch {
            logger.warning("Cannot read the token deny-list", metadata: ["error": "\(error)"])
            return false
        }
    }
}
