import Contracts
import Foundation
import Logging
import PostgresNIO

/// The ledger in PostgreSQL: transactions are appended, balances summed, and the whole book checked.
struct LedgerBook: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Appends `transaction`, linked to the payment or payout it belongs to.
    func append(_ transaction: Ledger.Transaction, paymentID: UUID? = nil, payoutID: UUID? = nil, at now: Date, on connection: PostgresConnection) async throws
    {
        let id = UUID.random()
        try await connection.query(
            """
            INSERT INTO ledger_transactions (id, kind, payment_id, payout_id, created_at)
            VALUES (\(id), \(transaction.kind.rawValue), \(paymentID), \(payoutID), \(now))
            """,
            logger: logger
        )
        for posting in transaction.postings {
            try await connection.query(
                """
                INSERT INTO ledger_postings (transaction_id, account, currency, amount)
                VALUES (\(id), \(posting.account.description), \(posting.currency), \(posting.amount))
                """,
                logger: logger
            )
        }
    }

    /// The balance of `account` in `currency`, with a lock on that pair held until the caller's transaction ends,
    /// so that two payout rounds cannot both take it.
    func lockedBalance(of account: Ledger.Account, in currency: String, on connection: PostgresConnection) async throws -> Int64 {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(account.description + ":" + currency)))", logger: logger)
        let rows = try await connection.query(
            "SELECT coalesce(sum(amount), 0)::bigint FROM ledger_postings WHERE account = \(account.description) AND currency = \(currency)",
            logger: logger
        )
        for try await sum in rows.decode(Int64.self) { return sum }
        return 0
    }

    /// An account's balance per currency.
    func balances(of account: Ledger.Account) async throws -> [Money] {
        let rows = try await postgres.query(
            "SELECT currency, sum(amount)::bigint FROM ledger_postings WHERE account = \(account.description) GROUP BY currency ORDER BY currency",
            logger: logger
        )
        var balances: [Money] = []
        for try await (currency, amount) in rows.decode((String, Int64).self) { balances.append(Money(amount: amount, currency: currency)) }
        return balances
    }

    /// The transactions whose postings do not sum to zero in some currency (none, in a sound book), and how many
    /// postings were checked.
    func check() async throws -> (unbalanced: [UUID], postings: Int) {
        let rows = try await postgres.query(
            "SELECT transaction_id FROM ledger_postings GROUP BY transaction_id, currency HAVING sum(amount) <> 0",
            logger: logger
        )
        var unbalanced: [UUID] = []
        for try await id in rows.decode(UUID.self) { unbalanced.append(id) }
        let counted = try await postgres.query("SELECT count(*)::int FROM ledger_postings", logger: logger)
        var postings = 0
        for try await count in counted.decode(Int.self) { postings = count }
        return (unbalanced, postings)
    }
}
