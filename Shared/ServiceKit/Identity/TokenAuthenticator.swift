import Contracts
import HTTPTypes
import Logging
import Redis

/// Who a presented access token belongs to: signature and claims through Auth's keys, then the revoked-`jti`
/// deny-list in Redis when the service has Redis. Used for HTTP requests and WebSocket upgrades alike.
public struct TokenAuthenticator: Sendable {
    let verifier: AccessTokenVerifier
    let redis: RedisClient?
    let logger: Logger
    /// Whether an admin's token without a second factor is refused (``SecondFactorRequired``): everywhere but in
    /// Auth, where such an admin turns two-factor authentication on and Auth's admin routes check for themselves.
    let adminsNeedSecondFactor: Bool

    public init(verifier: AccessTokenVerifier, redis: RedisClient?, logger: Logger, adminsNeedSecondFactor: Bool = true) {
        self.verifier = verifier
        self.redis = redis
        self.logger = logger
        self.adminsNeedSecondFactor = adminsNeedSecondFactor
    }

    /// Ready once Auth's keys are at hand (``AccessTokenVerifier/readiness``).
    public var readiness: ReadinessCheck { verifier.readiness }

    /// The verified caller; a refused token throws a ``AccessTokenVerifier/Rejection`` whose text is safe to show.
    public func identity(for token: String) async throws -> Identity {
        try await authenticate(token).identity
    }

    /// The verified caller and the token's claims (Auth needs the `jti` and expiry to revoke it).
    public func authenticate(_ token: String) async throws -> (identity: Identity, claims: AccessClaims) {
        let verified = try await verify(token)
        if await isRevoked(jti: verified.claims.tokenID) { throw AccessTokenVerifier.Rejection.revoked }
        if adminsNeedSecondFactor, verified.claims.role == .admin, !verified.claims.hasSecondFactor { throw SecondFactorRequired() }
        return verified
    }

    /// The caller and claims of a token whose signature and claims hold, without asking the deny-list: for the
    /// gateway, which asks Redis about the `jti` in the same round trip as its rate limit.
    public func verify(_ token: String) async throws -> (identity: Identity, claims: AccessClaims) {
        let claims = try await verifier.verify(token)
        guard let identity = claims.identity else { throw AccessTokenVerifier.Rejection(description: "The token has no valid subject.") }
        return (identity, claims)
    }

    /// Throws the ``AccessTokenVerifier/Rejection`` of claims verified earlier that no longer hold (expired).
    public func checkStillValid(_ claims: AccessClaims) throws {
        _ = try verifier.current(claims)
    }

    /// The token of `Authorization: Bearer …`, or on Messaging's WebSocket path the `token` query parameter.
    public static func token(authorization: String?, path: String, token queryToken: @autoclosure () -> String?) -> String? {
        if let credential = authorization?.bearerCredential { return String(credential) }
        return path == MessagingSocket.path ? queryToken() : nil
    }

    /// While Redis is unreachable the deny-list cannot be read; the token is then accepted (it is signed and
    /// expires within minutes, and the owning service verifies it again) and the gap is logged.
    private func isRevoked(jti: String) async -> Bool {
        guard let redis else { return false }
        do {
            return try await redis.send("EXISTS", RedisArgument(RevokedTokens.key(jti: jti))).int == 1
        } catch {
            logger.warning("Cannot read the token deny-list", metadata: ["error": "\(error)"])
            return false
        }
    }
}

/// An admin's token from a session without a second factor: the admin role's powers need one (a 403).
public struct SecondFactorRequired: Error, ProblemConvertible {
    public init() {}

    public var problem: Problem {
        Problem(
            .forbidden, detail: "Admins sign in with two-factor authentication: turn it on (POST /api/v1/auth/2fa/enroll), then sign in again.",
            code: "two_factor_required")
    }
}
