import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What Notify holds of one person, for their account's erasure: everything, since every row is theirs alone.
struct Accounts: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Deletes the person's notifications (sent or waiting), their attempts and inbox, preferences and devices, in one
    /// transaction. Once more deletes nothing.
    func erase(_ userID: UUID) async throws {
        try await postgres.transaction(logger: logger) { connection in
            for statement: PostgresQuery in [
                "DELETE FROM deliveries WHERE job_id IN (SELECT id FROM jobs WHERE recipient_id = \(userID))",
                "DELETE FROM inbox_entries WHERE user_id = \(userID)",
                "DELETE FROM jobs WHERE recipient_id = \(userID)",
                "DELETE FROM notifications WHERE recipient_id = \(userID)",
                "DELETE FROM preferences WHERE user_id = \(userID)",
                "DELETE FROM devices WHERE user_id = \(userID)",
            ] {
                try await connection.query(statement, logger: logger)
            }
        }
    }
}
