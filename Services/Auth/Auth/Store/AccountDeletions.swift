import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `account_deletions` table: accounts their owners deleted, erased once `due_at` has passed unless they sign in
/// again before.
struct AccountDeletions: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func schedule(_ userID: UUID, at now: Date, dueAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO account_deletions (user_id, requested_at, due_at) VALUES (\(userID), \(now), \(dueAt))
            ON CONFLICT (user_id) DO UPDATE SET requested_at = excluded.requested_at, due_at = excluded.due_at
            """,
            logger: logger)
    }

    /// When the account's erasure is due, if it is deleted.
    func dueDate(of userID: UUID) async throws -> Date? {
        let rows = try await postgres.query("SELECT due_at FROM account_deletions WHERE user_id = \(userID)", logger: logger)
        for try await due in rows.decode(Date.self) { return due }
        return nil
    }

    /// Forgets the account's deletion; returns whether there was one.
    func cancel(_ userID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("DELETE FROM account_deletions WHERE user_id = \(userID) RETURNING user_id", logger: logger)
        return try await rows.returnedARow()
    }

    /// The next account due for erasure, locked for the caller's transaction; other instances skip it.
    func claimDue(at now: Date, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(
            "SELECT user_id FROM account_deletions WHERE due_at <= \(now) ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED", logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// Erases the person from Auth in the caller's transaction: the account row stays (bookings and the ledger name
    /// its id) but with a placeholder address and name and no way to sign in; the profile, second factor, recovery
    /// codes, social links and one-time links go; the audit log keeps its events without the address.
    func erase(_ userID: UUID, at now: Date, on connection: PostgresConnection) async throws {
        let placeholder = "deleted-\(userID.lowercasedString)@deleted.invalid"
        try await connection.query(
            """
            UPDATE users SET email = \(placeholder), name = 'Deleted user', password_hash = NULL, email_verified = false, disabled = true,
                totp_secret = NULL, totp_enabled = false, totp_last_step = NULL, updated_at = \(now)
            WHERE id = \(userID)
            """,
            logger: logger)
        for table in ["profiles", "recovery_codes", "identity_links", "one_time_tokens", "account_deletions"] {
            try await connection.query("DELETE FROM \(unescaped: table) WHERE user_id = \(userID)", logger: logger)
        }
        try await connection.query("UPDATE audit_events SET email = NULL WHERE user_id = \(userID)", logger: logger)
    }
}
