import Foundation
import PostgresNIO

/// ``Jobs/finish(_:)``'s one statement: ends jobs (status, error, when) and records the sends that went out, each
/// given as parallel arrays. Prepared once per connection, as ``JobClaim`` is: every batch runs it.
struct JobEnds: PostgresPreparedStatement {
    typealias Row = Void
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "notify.job_ends"

    static let sql = """
        WITH recorded AS (
            INSERT INTO deliveries (job_id, attempt, provider, outcome, answer, at)
            SELECT job_id, attempt, provider, 'sent', answer, at
            FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS d(job_id, attempt, provider, answer, at)
        )
        UPDATE jobs SET status = e.status, last_error = NULLIF(e.error, ''), locked_until = NULL, finished_at = e.at
        FROM unnest($6::uuid[], $7::text[], $8::text[], $9::timestamptz[]) AS e(id, status, error, at)
        WHERE jobs.id = e.id
        """

    /// The sends that went out, and the jobs they belong to.
    let sends: [(job: ClaimedJob, delivery: Jobs.Delivery)]
    let ends: [Jobs.End]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(sends.map(\.job.id))
        bindings.append(sends.map(\.job.attempts))
        bindings.append(sends.map(\.delivery.provider))
        bindings.append(sends.map { Jobs.kept($0.delivery.answer) })
        bindings.append(sends.map(\.delivery.at))
        bindings.append(ends.map(\.job.id))
        bindings.append(ends.map(\.outcome.rawValue))
        bindings.append(ends.map { $0.error ?? "" })
        bindings.append(ends.map(\.at))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
