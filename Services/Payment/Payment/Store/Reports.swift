import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Reports summed from the ledger: a provider's earnings and the platform's revenue.
struct Reports: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The provider's earnings per month (UTC), experience and currency in [start, end).
    func earnings(of providerID: UUID, from start: Date, to end: Date) async throws -> [EarningsLine] {
        let account = Ledger.Account.provider(providerID).description
        let commission = Ledger.Account.commission.description
        let rows = try await postgres.query(
            """
            SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM'), p.experience_id, max(coalesce(p.experience_title, p.description)), lp.currency,
                   (count(DISTINCT p.id) FILTER (WHERE t.kind = 'release'))::int,
                   coalesce(sum(lp.amount) FILTER (WHERE t.kind = 'release'), 0)::int8,
                   coalesce(sum(lp.amount) FILTER (WHERE t.kind = 'release' AND lp.account = \(commission)), 0)::int8,
                   coalesce(-sum(lp.amount) FILTER (WHERE t.kind IN ('refund', 'dispute') AND lp.account = \(account)), 0)::int8,
                   coalesce(sum(lp.amount) FILTER (WHERE lp.account = \(account)), 0)::int8
            FROM payments p
            JOIN ledger_transactions t ON t.payment_id = p.id
            JOIN ledger_postings lp ON lp.transaction_id = t.id AND lp.account IN (\(account), \(commission))
            WHERE p.provider_id = \(providerID) AND t.created_at >= \(start) AND t.created_at < \(end)
            GROUP BY 1, 2, 4 ORDER BY 1, 3, 4
            """,
            logger: logger
        )
        var lines: [EarningsLine] = []
        for try await r in rows.decode((String, UUID?, String, String, Int, Int64, Int64, Int64, Int64).self) {
            lines.append(
                EarningsLine(
                    month: r.0, experienceId: r.1, experienceTitle: r.2, bookings: r.4, gross: Money(amount: r.5, currency: r.3),
                    commission: Money(amount: r.6, currency: r.3), takenBack: Money(amount: r.7, currency: r.3), net: Money(amount: r.8, currency: r.3)
                ))
        }
        return lines
    }

    /// What moved through the platform in [start, end), per currency.
    func revenue(from start: Date, to end: Date) async throws -> [RevenueSummary.Currency] {
        let (escrow, cards, disputes, commission, payouts) = (
            Ledger.Account.escrow.description, Ledger.Account.cards.description, Ledger.Account.disputes.description,
            Ledger.Account.commission.description, Ledger.Account.payouts.description
        )
        let rows = try await postgres.query(
            """
            SELECT lp.currency, (count(DISTINCT t.payment_id) FILTER (WHERE t.kind = 'charge'))::int,
                   coalesce(sum(lp.amount) FILTER (WHERE t.kind = 'charge' AND lp.account = \(escrow)), 0)::int8,
                   coalesce(sum(lp.amount) FILTER (WHERE t.kind = 'refund' AND lp.account = \(cards)), 0)::int8,
                   coalesce(sum(lp.amount) FILTER (WHERE lp.account = \(disputes)), 0)::int8,
                   coalesce(sum(lp.amount) FILTER (WHERE lp.account = \(commission)), 0)::int8,
                   coalesce(sum(lp.amount) FILTER (WHERE lp.account = \(payouts)), 0)::int8
            FROM ledger_transactions t JOIN ledger_postings lp ON lp.transaction_id = t.id
            WHERE t.created_at >= \(start) AND t.created_at < \(end)
            GROUP BY lp.currency ORDER BY lp.currency
            """,
            logger: logger
        )
        var currencies: [RevenueSummary.Currency] = []
        for try await r in rows.decode((String, Int, Int64, Int64, Int64, Int64, Int64).self) {
            currencies.append(.init(currency: r.0, payments: r.1, charged: r.2, refunded: r.3, disputed: r.4, commission: r.5, paidOut: r.6))
        }
        return currencies
    }

    /// Every record of Payment's about one person, as JSON rows: the payments they made or were paid, their refunds
    /// and invoices, their payouts and payout account.
    func records(of userID: UUID) async throws -> [String: JSONValue] {
        [
            "payments": try await postgres.jsonRows(
                """
                SELECT id, booking_id, traveler_id, provider_id, amount, currency, status, refunded_amount, disputed_amount, created_at
                FROM payments WHERE traveler_id = \(userID) OR provider_id = \(userID) ORDER BY created_at
                """,
                logger: logger),
            "refunds": try await postgres.jsonRows(
                """
                SELECT r.* FROM refunds r JOIN payments p ON p.id = r.payment_id
                WHERE p.traveler_id = \(userID) OR p.provider_id = \(userID)
                """,
                logger: logger),
            "invoices": try await postgres.jsonRows(
                "SELECT i.* FROM invoices i JOIN payments p ON p.id = i.payment_id WHERE p.traveler_id = \(userID) ORDER BY i.issued_at", logger: logger),
            "payouts": try await postgres.jsonRows("SELECT * FROM payouts WHERE provider_id = \(userID) ORDER BY created_at", logger: logger),
            "payoutAccount": try await postgres.jsonRows("SELECT * FROM provider_accounts WHERE provider_id = \(userID)", logger: logger),
        ]
    }
}
