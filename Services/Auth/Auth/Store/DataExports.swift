import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `data_exports` table, and Auth's own records about a person for the archive.
struct DataExports: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    private static let columns = "id, status, requested_at, ready_at, expires_at, size"

    /// A new export for the user, or the one still being made.
    func request(for userID: UUID, at now: Date) async throws -> DataExport {
        try await postgres.query(
            """
            INSERT INTO data_exports (id, user_id, status, requested_at, run_after) VALUES (\(UUID.random()), \(userID), 'pending', \(now), \(now))
            ON CONFLICT (user_id) WHERE status = 'pending' DO NOTHING
            """,
            logger: logger)
        return try await first("SELECT \(unescaped: Self.columns) FROM data_exports WHERE user_id = \(userID) AND status = 'pending'")!
    }

    func find(_ id: UUID, of userID: UUID) async throws -> DataExport? {
        try await first("SELECT \(unescaped: Self.columns) FROM data_exports WHERE id = \(id) AND user_id = \(userID)")
    }

    /// The next export due, put off by `lease` so that a crashed worker's comes back; others skip it meanwhile.
    func claim(at now: Date, lease: TimeInterval) async throws -> (id: UUID, userID: UUID, attempts: Int)? {
        let rows = try await postgres.query(
            """
            UPDATE data_exports SET attempts = attempts + 1, run_after = \(now.addingTimeInterval(lease))
            WHERE id = (SELECT id FROM data_exports WHERE status = 'pending' AND run_after <= \(now) ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, user_id, attempts
            """,
            logger: logger)
        for try await (id, userID, attempts) in rows.decode((UUID, UUID, Int).self) { return (id, userID, attempts) }
        return nil
    }

    func markReady(_ id: UUID, key: String, size: Int, at now: Date, expiresAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE data_exports SET status = 'ready', object_key = \(key), size = \(Int64(size)), ready_at = \(now), expires_at = \(expiresAt)
            WHERE id = \(id)
            """,
            logger: logger)
    }

    /// Tries export `id` again at `time`, or gives up on it when `time` is `nil`.
    func retry(_ id: UUID, at time: Date?, error: String) async throws {
        try await postgres.query(
            "UPDATE data_exports SET status = \(time == nil ? "failed" : "pending"), run_after = coalesce(\(time), run_after), last_error = \(error) WHERE id = \(id)",
            logger: logger)
    }

    /// Marks a ready export downloaded; returns where its archive is, `nil` if it was not ready (or is gone).
    func download(_ id: UUID, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.query(
            "UPDATE data_exports SET status = 'downloaded' WHERE id = \(id) AND status = 'ready' RETURNING object_key", logger: logger)
        for try await key in rows.decode(String.self) { return key }
        return nil
    }

    /// Ends the exports whose link expired and forgets where the downloaded ones were; returns the archives to delete.
    func sweep(at now: Date, downloadedBefore: Date) async throws -> [String] {
        let rows = try await postgres.query(
            """
            WITH gone AS (
                SELECT id, object_key FROM data_exports
                WHERE object_key IS NOT NULL
                  AND ((status = 'ready' AND expires_at < \(now)) OR (status = 'downloaded' AND ready_at < \(downloadedBefore)))
                FOR UPDATE SKIP LOCKED
            )
            UPDATE data_exports d SET status = CASE WHEN d.status = 'ready' THEN 'expired' ELSE d.status END, object_key = NULL
            FROM gone WHERE d.id = gone.id
            RETURNING gone.object_key
            """,
            logger: logger)
        return try await rows.decode(String.self).reduce(into: []) { $0.append($1) }
    }

    /// Auth's records about the person, as JSON rows: the account (without secrets), profile, sessions, API keys,
    /// social links and the audit log.
    func records(of userID: UUID) async throws -> [String: JSONValue] {
        [
            "account": try await postgres.jsonRows(
                "SELECT id, email, name, role, email_verified, totp_enabled AS two_factor_enabled, created_at, updated_at FROM users WHERE id = \(userID)",
                logger: logger),
            "profile": try await postgres.jsonRows("SELECT * FROM profiles WHERE user_id = \(userID)", logger: logger),
            "sessions": try await postgres.jsonRows(
                "SELECT family_id, created_at, expires_at, spent_at, revoked_at FROM refresh_tokens WHERE user_id = \(userID) ORDER BY created_at",
                logger: logger),
            "apiKeys": try await postgres.jsonRows(
                "SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys WHERE user_id = \(userID) ORDER BY created_at",
                logger: logger),
            "socialSignIns": try await postgres.jsonRows("SELECT provider, created_at FROM identity_links WHERE user_id = \(userID)", logger: logger),
            "auditLog": try await postgres.jsonRows(
                "SELECT type, ip, user_agent, detail, occurred_at FROM audit_events WHERE user_id = \(userID) ORDER BY id", logger: logger),
        ]
    }

    private func first(_ query: PostgresQuery) async throws -> DataExport? {
        for try await r in try await postgres.query(query, logger: logger).decode((UUID, String, Date, Date?, Date?, Int64?).self) {
            return DataExport(id: r.0, status: DataExport.Status(rawValue: r.1) ?? .failed, requestedAt: r.2, readyAt: r.3, expiresAt: r.4, size: r.5)
        }
        return nil
    }
}
