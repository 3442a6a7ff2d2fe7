import Foundation
import PostgresNIO

/// ``Jobs/claim(now:lease:)``'s one statement: leases up to ``batch`` jobs, those due first or whose lease ran out,
/// until `until`, with their notices' data and their recipients' preferences. Prepared once per connection: every
/// batch of every worker runs it, and planning it took PostgreSQL 0.21-0.36 ms besides its 0.45 ms of running
/// (bench/notify). The batch's size is written in the statement: with `LIMIT $2`, once the jobs table had statistics,
/// PostgreSQL planned it at every call (1 250 plans in 1 250 calls), the generic plan not knowing the limit.
struct JobClaim: PostgresPreparedStatement {
    /// id, recipient, type, channel, attempts, data, email to, preferences, run at.
    typealias Row = (UUID, UUID, String, String, Int, String, String?, String?, Date)
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "notify.job_claim"

    /// The most jobs one claim leases. A batch costs about a millisecond of CPU besides its jobs (the claim, the
    /// recipients' contacts asked of Auth, the ends written, the trip to the sender): at 8 a batch, that was a
    /// third of Notify's and PostgreSQL's CPU a mail under bench/notify. 32 sends of a provider that takes a second
    /// each still start within a lease (a minute).
    static let batch = 32

    static let sql = """
        WITH next AS (
            SELECT id FROM jobs
            WHERE (status = 'queued' AND run_at <= $1) OR (status = 'sending' AND locked_until < $1)
            ORDER BY run_at LIMIT \(batch) FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs SET status = 'sending', attempts = attempts + 1, locked_until = $2
        FROM next, notifications n WHERE jobs.id = next.id AND n.id = jobs.notification_id
        RETURNING jobs.id, jobs.recipient_id, jobs.type, jobs.channel, jobs.attempts, n.data::text, n.email_to,
            (SELECT settings::text FROM preferences WHERE user_id = jobs.recipient_id), jobs.run_at
        """

    let now: Date
    let until: Date

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(now)
        bindings.append(until)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
