import Foundation
import Logging
import PostgresNIO

/// Deletes the rows a service no longer needs once they are old enough, so that tables written on every request
/// (an inbox of message ids, spent tokens) hold a bounded window rather than everything ever written. Each rule
/// deletes in batches, a short transaction each, however far behind it is.
public struct Retention: PeriodicWork {
    /// Rows of `table` whose `column` (a timestamp) is more than `keptFor` in the past go. The column wants an index,
    /// BRIN when rows are written in its order.
    public struct Rule: Sendable {
        let table: String
        let column: String
        let keptFor: Duration

        public init(_ table: String, by column: String, keptFor: Duration) {
            self.table = table
            self.column = column
            self.keptFor = keptFor
        }
    }

    let rules: [Rule]
    let postgres: PostgresClient
    let clock: WallClock
    let logger: Logger
    var batch = 5000

    public init(_ rules: [Rule], postgres: PostgresClient, clock: WallClock = .system, logger: Logger) {
        self.rules = rules
        self.postgres = postgres
        self.clock = clock
        self.logger = logger
    }

    public func runOnce() async {
        for rule in rules {
            let cutoff = clock.now().addingTimeInterval(-rule.keptFor.milliseconds / 1000)
            do {
                while try await prune(rule, before: cutoff) == batch, !Task.isCancelled {}
            } catch {
                logger.warning("Old rows not deleted", metadata: ["table": .string(rule.table), "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Deletes up to `batch` rows of the rule's table from before `cutoff`; returns how many.
    private func prune(_ rule: Rule, before cutoff: Date) async throws -> Int {
        let rows = try await postgres.query(
            """
            WITH pruned AS (
                DELETE FROM \(unescaped: rule.table)
                WHERE ctid = ANY(ARRAY(SELECT ctid FROM \(unescaped: rule.table) WHERE \(unescaped: rule.column) < \(cutoff) LIMIT \(batch)))
                RETURNING 1
            )
            SELECT count(*)::int FROM pruned
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
