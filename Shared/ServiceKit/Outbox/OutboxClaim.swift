import Foundation
import PostgresNIO

/// ``OutboxRelay``'s claim: up to ``batchSize`` due rows, oldest due first, leased for `leaseSeconds` by pushing their
/// `next_attempt_at`. Prepared once per connection: planning it took PostgreSQL 0.18-0.27 ms at each claim under
/// bench/booking, where running it takes 1-2 ms. The batch's size is written in the statement: with `LIMIT $2`
/// PostgreSQL kept planning it at every call (363 plans in 352 calls), the generic plan not knowing the limit.
/// The rows are chosen by an array built once (`= ANY(ARRAY(…))`): with `id IN (…)` and the plan a connection made
/// while the outbox was empty, as autovacuum mostly finds it, PostgreSQL joined the table to the locking subquery
/// and ran it again for each row, each run skipping the rows the statement had updated already, so that one claim
/// leased the whole backlog (110-206 rows under bench/booking, in 20-100 ms).
struct OutboxClaim: PostgresPreparedStatement {
    /// id, destination, path, payload, traceparent, attempts.
    typealias Row = (UUID, String, String, String, String?, Int)
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "outbox.claim"

    /// The most rows one claim takes.
    static let batchSize = 50

    static let sql = """
        UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
        WHERE id = ANY(ARRAY(
            SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT \(batchSize) FOR UPDATE SKIP LOCKED
        ))
        RETURNING id, destination, path, payload::text, traceparent, attempts
        """

    let leaseSeconds: Double

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(leaseSeconds)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
