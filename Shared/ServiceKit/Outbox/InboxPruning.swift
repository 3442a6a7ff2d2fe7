import Foundation
import Logging
import PostgresNIO

/// Deletes the inbox entries older than ``Outbox/inboxRetention``, in batches, so that a receiver's inbox holds a
/// week of message ids rather than every one it was ever sent.
struct InboxPruning: PeriodicWork {
    let postgres: PostgresClient
    let clock: WallClock
    let logger: Logger
    /// Entries deleted per statement: a short transaction each, however far behind the pruning is.
    var batch = 5000

    func runOnce() async {
        let cutoff = clock.now().addingTimeInterval(-Outbox.inboxRetention.milliseconds / 1000)
        do {
            while try await Outbox.pruneInbox(before: cutoff, limit: batch, on: postgres, logger: logger) == batch, !Task.isCancelled {}
        } catch {
            logger.warning("Inbox not pruned", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
