import Contracts
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit

/// What a client gets when it signs in or refreshes.
struct TokenPair: ResponseCodable, Sendable {
    var user: User
    var accessToken: String
    var refreshToken: String
    var tokenType = "Bearer"
    var expiresIn: Int
}

/// Sign-in sessions: an access token plus a refresh token of a family (every token descended from one sign-in).
/// Refresh tokens are opaque, stored hashed, and rotated on every use; presenting a spent one revokes its family.
/// Each row remembers the access token issued with it, so revoking a family revokes its live access tokens too.
struct Sessions: Sendable {
    let keys: KeyRing
    let revocations: Revocations
    let clock: WallClock
    let issuer: String
    let audience: String
    let accessLifetime: TimeInterval
    let refreshLifetime: TimeInterval
    let logger: Logger

    /// Refresh tokens are deleted a month after they expire: until then a spent one presented again still revokes
    /// its family, and a data export still lists the session.
    static let retention = Retention.Rule("refresh_tokens", by: "expires_at", keptFor: .seconds(30 * 86_400))

    enum RotationFailure: Error {
        case unknown, expired
        case reused(userID: UUID)
        case disabled
    }

    /// A signed access token for `userID`, valid for `lifetime`; `methods` say how the caller authenticated (`amr`).
    func accessToken(
        userID: UUID, role: Role, lifetime: TimeInterval? = nil, methods: [String]? = nil
    ) async throws -> (token: String, jti: String, expiresAt: Date) {
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(lifetime ?? accessLifetime)
        let jti = UUID.random().lowercasedString
        var claims = AccessClaims(userID: userID, role: role, id: jti, issuedAt: now, expiresAt: expiresAt, issuer: issuer, audience: audience)
        claims.amr = methods
        return (try await keys.signingKey().sign(claims), jti, expiresAt)
    }

    /// A new session (a new family) for `user`, who signed in with a second factor or not; its tokens say so
    /// (``AccessClaims/hasSecondFactor``) for as long as the session lasts.
    func start(for user: UserRecord, secondFactor: Bool, on connection: PostgresConnection) async throws -> TokenPair {
        try await issue(for: user, family: UUID.random(), secondFactor: secondFactor, on: connection)
    }

    /// Spends `refreshToken` and issues the next pair of its family. Reuse of a spent token revokes the family;
    /// that is written before the failure is thrown, so the caller must commit the transaction in every case.
    func rotate(_ refreshToken: String, users: Users, on connection: PostgresConnection) async throws -> Result<TokenPair, RotationFailure> {
        let now = clock.now()
        let rows = try await connection.query(
            """
            SELECT user_id, family_id, expires_at, spent_at, revoked_at, second_factor FROM refresh_tokens
            WHERE token_hash = \(SecretToken.hash(refreshToken)) FOR UPDATE
            """,
            logger: logger
        )
        var found: (UUID, UUID, Date, Date?, Date?, Bool)?
        for try await row in rows.decode((UUID, UUID, Date, Date?, Date?, Bool).self) { found = row }
        guard let (userID, family, expiresAt, spentAt, revokedAt, secondFactor) = found else { return .failure(.unknown) }
        if revokedAt != nil { return .failure(.unknown) }
        if spentAt != nil {
            try await revokeFamily(family, on: connection)
            return .failure(.reused(userID: userID))
        }
        guard expiresAt > now else { return .failure(.expired) }
        guard let user = try await users.find(id: userID, on: connection), !user.disabled else {
            try await revokeFamily(family, on: connection)
            return .failure(.disabled)
        }
        try await connection.query(
            "UPDATE refresh_tokens SET spent_at = \(now) WHERE token_hash = \(SecretToken.hash(refreshToken))",
            logger: logger
        )
        return .success(try await issue(for: user, family: family, secondFactor: secondFactor, on: connection))
    }

    /// The family of the session whose access token is `jti`.
    func family(ofAccessToken jti: String, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query("SELECT family_id FROM refresh_tokens WHERE access_jti = \(jti)", logger: logger)
        for try await family in rows.decode(UUID.self) { return family }
        return nil
    }

    /// The family of `refreshToken` if it belongs to `userID`.
    func family(ofRefreshToken refreshToken: String, userID: UUID, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = \(SecretToken.hash(refreshToken)) AND user_id = \(userID)",
            logger: logger
        )
        for try await family in rows.decode(UUID.self) { return family }
        return nil
    }

    /// Ends every session descended from one sign-in, access tokens included.
    func revokeFamily(_ family: UUID, on connection: PostgresConnection) async throws {
        try await revoke(
            "UPDATE refresh_tokens SET revoked_at = \(clock.now()) WHERE family_id = \(family) AND revoked_at IS NULL RETURNING access_jti, access_expires_at",
            on: connection
        )
    }

    /// Ends every session of `userID` but the family `keeping`.
    func revokeAll(of userID: UUID, keeping: UUID? = nil, on connection: PostgresConnection) async throws {
        try await revoke(
            """
            UPDATE refresh_tokens SET revoked_at = \(clock.now())
            WHERE user_id = \(userID) AND revoked_at IS NULL AND (\(keeping)::uuid IS NULL OR family_id <> \(keeping))
            RETURNING access_jti, access_expires_at
            """,
            on: connection
        )
    }

    private func revoke(_ query: PostgresQuery, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(query, logger: logger)
        var live: [(String, Date)] = []
        for try await row in rows.decode((String, Date).self) { live.append(row) }
        for (jti, expiresAt) in live {
            try await revocations.revoke(jti: jti, expiresAt: expiresAt, on: connection)
        }
    }

    private func issue(for user: UserRecord, family: UUID, secondFactor: Bool, on connection: PostgresConnection) async throws -> TokenPair {
        let now = clock.now()
        let access = try await accessToken(userID: user.id, role: user.role, methods: secondFactor ? [AccessClaims.secondFactorMethod] : nil)
        let refreshToken = SecretToken.make()
        try await connection.query(
            """
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, access_jti, access_expires_at, expires_at, created_at, second_factor)
            VALUES (\(SecretToken.hash(refreshToken)), \(user.id), \(family), \(access.jti), \(access.expiresAt),
                    \(now.addingTimeInterval(refreshLifetime)), \(now), \(secondFactor))
            """,
            logger: logger
        )
        return TokenPair(user: user.user, accessToken: access.token, refreshToken: refreshToken, expiresIn: Int(accessLifetime))
    }
}
