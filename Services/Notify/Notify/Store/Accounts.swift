import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What Notify holds of one person, for their data export and their account's erasure: every row is theirs alone.
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

    /// The person's notifications, inbox, preferences and devices, as JSON rows.
    func records(of userID: UUID) async throws -> [String: JSONValue] {
        [
            "notifications": try await postgres.jsonRows(
                "SELECT id, type, data, send_at, created_at FROM notifications WHERE recipient_id = \(userID) ORDER BY created_at", logger: logger),
            "inbox": try await postgres.jsonRows("SELECT * FROM inbox_entries WHERE user_id = \(userID)", logger: logger),
            "preferences": try await postgres.jsonRows("SELECT * FROM preferences WHERE user_id = \(userID)", logger: logger),
            "devices": try await postgres.jsonRows("SELECT * FROM devices WHERE user_id = \(userID) ORDER BY created_at", logger: logger),
        ]
    }
}
