import Contracts
import Foundation
import Logging
import PostgresNIO

/// The `payouts` table.
struct Payouts: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func insert(_ payout: Payout, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO payouts (id, provider_id, amount, currency, paid_amount, paid_currency, rate, status, created_at)
            VALUES (\(payout.id), \(payout.providerId), \(payout.amount.amount), \(payout.amount.currency), \(payout.paid.amount),
                    \(payout.paid.currency), \(payout.rate), \(payout.status.rawValue), \(payout.createdAt))
            """,
            logger: logger
        )
    }

    func page(of providerID: UUID, before cursor: Date?, limit: Int) async throws -> [Payout] {
        let rows = try await postgres.query(
            """
            SELECT id, amount, currency, coalesce(paid_amount, amount), coalesce(paid_currency, currency), rate, status, created_at FROM payouts
            WHERE provider_id = \(providerID) AND (\(cursor)::timestamptz IS NULL OR created_at < \(cursor))
            ORDER BY created_at DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var payouts: [Payout] = []
        for try await (id, amount, currency, paid, paidCurrency, rate, status, createdAt) in rows.decode((UUID, Int64, String, Int64, String, String?, String, Date).self) {
            payouts.append(Payout(
                id: id, providerId: providerID, amount: Money(amount: amount, currency: currency), paid: Money(amount: paid, currency: paidCurrency),
                rate: rate, status: Payout.Status(rawValue: status) ?? .paid, createdAt: createdAt
            ))
        }
        return payouts
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
}
