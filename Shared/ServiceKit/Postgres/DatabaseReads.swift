import Logging
import PostgresNIO

/// Where a service sends the reads that may lag a moment behind its writes (public listings, message history,
/// Search's index): a streaming replica when `DATABASE_READ_URL` names one, else the primary itself.
public struct DatabaseReads: Sendable {
    /// The pool those reads use.
    public let postgres: PostgresClient
    /// The primary, when `postgres` is a replica of it.
    private let primary: PostgresClient?

    public init(primary: PostgresClient, replica: PostgresClient?) {
        postgres = replica ?? primary
        self.primary = replica == nil ? nil : primary
    }

    /// Returns once the replica has replayed everything the primary had written at the call, so that a read after it
    /// sees the caller's own writes. A replica still behind after `timeout` is read as it is: lag slows such a read
    /// down, it never stops it.
    public func catchUp(timeout: Duration = .seconds(2), logger: Logger) async throws {
        guard let primary else { return }
        let written = try await primary.query("SELECT pg_current_wal_lsn()::text", logger: logger)
        guard let lsn = try await written.decode(String.self).first(where: { _ in true }) else { return }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let replayed = try await postgres.query("SELECT coalesce(pg_last_wal_replay_lsn() >= \(lsn)::pg_lsn, false)", logger: logger)
            if try await replayed.decode(Bool.self).first(where: { _ in true }) == true { return }
            guard ContinuousClock.now < deadline else {
                logger.warning("Replica behind the primary: read as it is", metadata: ["lsn": "\(lsn)"])
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
