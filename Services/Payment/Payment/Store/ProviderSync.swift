import Foundation
import Logging
import PostgresNIO

/// The `provider_sync` table: how far each read-back of the charge provider got, and which instance reads now.
struct ProviderSync: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// A read-back taken by this instance.
    struct Lease: Sendable {
        /// How far the last read-back got; `nil` before the first.
        var coveredUntil: Date?
    }

    /// Takes the read-back `name` for `seconds` unless another instance holds it (then `nil`).
    func lease(_ name: String, for seconds: Int, at now: Date) async throws -> Lease? {
        let rows = try await postgres.query(
            """
            INSERT INTO provider_sync (name, until, leased_until) VALUES (\(name), NULL, \(now.addingTimeInterval(TimeInterval(seconds))))
            ON CONFLICT (name) DO UPDATE SET leased_until = excluded.leased_until
            WHERE provider_sync.leased_until IS NULL OR provider_sync.leased_until < \(now)
            RETURNING until
            """,
            logger: logger
        )
        for try await until in rows.decode(Date?.self) { return Lease(coveredUntil: until) }
        return nil
    }

    /// Records that the read-back `name` covered everything until `until`, and lets it go.
    func release(_ name: String, until: Date) async throws {
        try await postgres.query("UPDATE provider_sync SET until = \(until), leased_until = NULL WHERE name = \(name)", logger: logger)
    }
}
