import Foundation
import PostgresNIO

/// ``OutboxRelay``'s claim: up to ``batchSize`` due rows, oldest due first, leased for `leaseSeconds` by pushing their
/// `next_attempt_at`.
///
/// - The rows are chosen by an array built once (`= ANY(ARRAY(…))`). With `id IN (…)`, and the outbox analyzed empty
///   (as autovacuum mostly finds it), PostgreSQL joined the table to the locking subquery and ran it again for each
///   row, each run skipping the rows the statement had updated already: one claim leased the whole backlog (110-206
///   rows under bench/booking, in 20-100 ms).
/// - It is planned at every claim, not prepared: a connection's generic plan is made once, and one made while the
///   outbox was empty scans and sorts the whole table at every claim however large a backlog grows (4.8 ms a claim
///   under bench/booking), where planning it takes about 0.1 ms (37 ms in 308 claims) and the plan reads the due rows
///   from their index.
enum OutboxClaim {
    /// id, destination, path, payload, traceparent, attempts.
    typealias Row = (UUID, String, String, String, String?, Int)

    /// The most rows one claim takes.
    static let batchSize = 50

    static func query(leaseSeconds: Double) -> PostgresQuery {
        """
        UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(leaseSeconds))
        WHERE id = ANY(ARRAY(
            SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT \(unescaped: String(batchSize)) FOR UPDATE SKIP LOCKED
        ))
        RETURNING id, destination, path, payload::text, traceparent, attempts
        """
    }
}
