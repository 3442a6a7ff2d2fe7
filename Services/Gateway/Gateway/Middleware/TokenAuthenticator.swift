import Contracts
import HTTPTypes
import Logging
import ServiceKit

/// Who a presented access token belongs to: signature and claims through Auth's JWKS, then the revoked-`jti`
/// deny-list in Redis. Used for HTTP requests and WebSocket upgrades alike.
struct TokenAuthenticator: Sendable {
    /// The WebSocket path, where browsers can only send the token as the `token` query parameter.
    static let webSocketPath = "/api/v1/messaging/ws"

    let verifier: AccessTokenVerifier
    let redis: RedisClient
    let logger: Logger

    /// The verified caller; a refused token throws a ``AccessTokenVerifier/Rejection`` whose text is safe to show.
    func identity(for token: String) async throws -> Identity {
        let claims = try await verifier.verify(token)
        guard let identity = claims.identity else { throw AccessTokenVerifier.Rejection(description: "The token has no valid subject.") }
        if await isRevoked(jti: claims.tokenID) {
            throw AccessTokenVerifier.Rejection(description: "The token has been revoked.")
        }
        return identity
    }

    /// The token of `Authorization: Bearer …`, or on the WebSocket path the `token` query parameter.
    static func token(authorization: String?, path: String, token queryToken: @autoclosure () -> String?) -> String? {
        if let authorization, authorization.lowercased().hasPrefix("bearer ") {
            return String(authorization.dropFirst(7).trimmingOptionalWhitespace)
        }
        return path == webSocketPath ? queryToken() : nil
    }

    /// While Redis is unreachable the deny-list cannot be read; the token is then accepted (it is signed and
    /// expires within minutes, and the owning service verifies it again) and the gap is logged.
    private func isRevoked(jti: String) async -> Bool {
        do {
            return try await redis.send("EXISTS", RedisArgument(RevokedTokens.key(jti: jti))).int == 1
        } catch {
            logger.warning("Cannot read the token deny-list", metadata: ["error": "\(error)"])
            return false
        }
    }
}
