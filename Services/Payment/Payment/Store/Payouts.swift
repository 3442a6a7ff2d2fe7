import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `payouts` table. A payout is written (with its ledger postings) before the provider hears of it, so that a
/// crash between the two leaves a payout to send again under the same idempotency key, never money sent twice.
struct Payouts: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    private static let columns = """
        id, provider_id, amount, currency, coalesce(paid_amount, amount), coalesce(paid_currency, currency), rate, status, failure, created_at
        """

    func insert(_ payout: Payout, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO payouts (id, provider_id, amount, currency, paid_amount, paid_currency, rate, status, created_at, updated_at)
            VALUES (\(payout.id), \(payout.providerId), \(payout.amount.amount), \(payout.amount.currency), \(payout.paid.amount),
                    \(payout.paid.currency), \(payout.rate), \(payout.status.rawValue), \(payout.createdAt), \(payout.createdAt))
            """,
            logger: logger
        )
    }

    func page(of providerID: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> [Payout] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM payouts
            WHERE provider_id = \(providerID) AND (\(cursor?.time)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.time), \(cursor?.id)::uuid))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """
        )
    }

    /// The payout `id`, or the one the provider knows as `reference`, locked for the caller's transaction.
    func find(_ id: UUID?, reference: String?, on connection: PostgresConnection) async throws -> Payout? {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM payouts WHERE id = \(id) OR reference = \(reference)
            ORDER BY (id = \(id)) DESC LIMIT 1 FOR UPDATE
            """,
            on: connection
        ).first
    }

    func update(_ payout: Payout, reference: String?, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE payouts SET status = \(payout.status.rawValue), failure = \(payout.failure), reference = coalesce(\(reference), reference),
                updated_at = \(now)
            WHERE id = \(payout.id)
            """,
            logger: logger
        )
    }

    /// Pending payouts the provider has not acknowledged yet (just made, or their first attempt went unanswered).
    func unsent() async throws -> [Payout] {
        try await list("SELECT \(unescaped: Self.columns) FROM payouts WHERE status = 'pending' AND reference IS NULL ORDER BY created_at")
    }

    /// Pending payouts the provider has, per provider with the oldest's time: those to read back.
    func inTransit() async throws -> [(provider: UUID, since: Date)] {
        let rows = try await postgres.query(
            "SELECT provider_id, min(created_at) FROM payouts WHERE status = 'pending' AND reference IS NOT NULL GROUP BY provider_id",
            logger: logger
        )
        var found: [(UUID, Date)] = []
        for try await row in rows.decode((UUID, Date).self) { found.append(row) }
        return found
    }

    /// Providers' balances of at least `minimum` in a currency: (provider, currency, balance).
    func due(minimum: Int64) async throws -> [(UUID, String, Int64)] {
        let rows = try await postgres.query(
            """
            SELECT substr(account, 10)::uuid, currency, sum(amount)::bigint FROM ledger_postings
            WHERE account LIKE 'provider:%' GROUP BY account, currency HAVING sum(amount) >= \(minimum)
            """,
            logger: logger
        )
        var due: [(UUID, String, Int64)] = []
        for try await row in rows.decode((UUID, String, Int64).self) { due.append(row) }
        return due
    }

    private func list(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> [Payout] {
        let rows = try await postgres.query(query, on: connection, logger: logger)
        var payouts: [Payout] = []
        for try await r in rows.decode((UUID, UUID, Int64, String, Int64, String, String?, String, String?, Date).self) {
            payouts.append(
                Payout(
                    id: r.0, providerId: r.1, amount: Money(amount: r.2, currency: r.3), paid: Money(amount: r.4, currency: r.5),
                    rate: r.6, status: Payout.Status(rawValue: r.7) ?? .pending, failure: r.8, createdAt: r.9
                ))
        }
        return payouts
    }
}
