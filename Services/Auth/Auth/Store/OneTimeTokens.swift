import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Single-use, expiring tokens sent by mail (email verification, password reset), stored hashed.
struct OneTimeTokens: Sendable {
    enum Purpose: String, Sendable {
        case verifyEmail = "verify_email"
        case resetPassword = "reset_password"
        /// The code a social sign-in hands the app, exchanged once for a session.
        case signIn = "sign_in"
        /// Sent to the new address of an email change, which it carries as its payload.
        case changeEmail = "change_email"
        /// The link to download a data export once, which carries the export's id as its payload.
        case downloadExport = "download_export"
    }

    let logger: Logger

    /// A day after it expired, a token is only a row: a link that old is refused whether it is there or not.
    static let retention = Retention.Rule("one_time_tokens", by: "expires_at", keptFor: .seconds(86_400))

    /// A new token for `userID`, valid until `expiresAt`, carrying `payload`; earlier unused ones of the same
    /// purpose stop working.
    func issue(
        _ purpose: Purpose, for userID: UUID, at now: Date, expiresAt: Date, payload: String? = nil, on connection: PostgresConnection
    ) async throws -> String {
        let token = SecretToken.make()
        try await connection.query(
            "UPDATE one_time_tokens SET used_at = \(now) WHERE user_id = \(userID) AND purpose = \(purpose.rawValue) AND used_at IS NULL",
            logger: logger
        )
        try await connection.query(
            """
            INSERT INTO one_time_tokens (token_hash, user_id, purpose, expires_at, created_at, payload)
            VALUES (\(SecretToken.hash(token)), \(userID), \(purpose.rawValue), \(expiresAt), \(now), \(payload))
            """,
            logger: logger
        )
        return token
    }

    /// Spends `token` if it is an unused, unexpired token of `purpose`; returns its user.
    func redeem(_ token: String, purpose: Purpose, at now: Date, on connection: PostgresConnection) async throws -> UUID? {
        try await spend(token, purpose: purpose, at: now, on: connection)?.userID
    }

    /// Spends `token` like ``redeem(_:purpose:at:on:)``; returns its user and payload.
    func redeemPayload(_ token: String, purpose: Purpose, at now: Date, on connection: PostgresConnection) async throws -> (UUID, String)? {
        guard let spent = try await spend(token, purpose: purpose, at: now, on: connection), let payload = spent.payload else { return nil }
        return (spent.userID, payload)
    }

    private func spend(
        _ token: String, purpose: Purpose, at now: Date, on connection: PostgresConnection
    ) async throws -> (
        userID: UUID, payload: String?
    )? {
        let rows = try await connection.query(
            """
            UPDATE one_time_tokens SET used_at = \(now)
            WHERE token_hash = \(SecretToken.hash(token)) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > \(now)
            RETURNING user_id, payload
            """,
            logger: logger
        )
        for try await (userID, payload) in rows.decode((UUID, String?).self) { return (userID, payload) }
        return nil
    }

    /// The user of `token` if it is an unused, unexpired token of `purpose`, without spending it.
    func owner(of token: String, purpose: Purpose, at now: Date, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(
            """
            SELECT user_id FROM one_time_tokens
            WHERE token_hash = \(SecretToken.hash(token)) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND expires_at > \(now)
            """,
            logger: logger
        )
        for try await userID in rows.decode(UUID.self) { return userID }
        return nil
    }
}
