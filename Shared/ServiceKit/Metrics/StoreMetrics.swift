import Logging
import Metrics
import PostgresNIO

/// Samples for operators what the service's database holds, every round (5 s): the outbox's undelivered messages and the
/// age of the oldest (how far the service's news to the others lags), and the connections PostgreSQL has from the
/// service (all its instances), busy and in all, beside this instance's pool size.
struct StoreMetrics: PeriodicWork {
    let postgres: PostgresClient
    let schema: String
    let poolSize: Int
    let logger: Logger

    func runOnce() async {
        do {
            let outbox = try await postgres.query(
                "SELECT count(*)::int8, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM outbox WHERE delivered_at IS NULL",
                logger: logger)
            for try await (pending, age) in outbox.decode((Int64, Double).self) {
                Gauge(label: "mayago.outbox.pending").record(pending)
                Gauge(label: "mayago.outbox.lag.seconds").record(age)
            }
            let connections = try await postgres.query(
                """
                SELECT count(*) FILTER (WHERE state = 'active')::int8, count(*)::int8 FROM pg_stat_activity
                WHERE application_name = \("mayago-\(schema)")
                """,
                logger: logger)
            for try await (active, open) in connections.decode((Int64, Int64).self) {
                Gauge(label: "mayago.postgres.connections", dimensions: [("state", "active")]).record(active)
                Gauge(label: "mayago.postgres.connections", dimensions: [("state", "open")]).record(open)
            }
            Gauge(label: "mayago.postgres.pool.size").record(poolSize)
        } catch {
            logger.debug("Store metrics not sampled", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
