import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What Messaging holds about one person, for their data export.
struct Accounts: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Their conversations with every message in them (they are a party of each), and their uploads, as JSON rows.
    func records(of userID: UUID) async throws -> [String: JSONValue] {
        [
            "conversations": try await postgres.jsonRows(
                "SELECT c.* FROM conversations c JOIN members m ON m.conversation_id = c.id WHERE m.user_id = \(userID) ORDER BY c.last_activity_at",
                logger: logger),
            "messages": try await postgres.jsonRows(
                """
                SELECT msg.id, msg.conversation_id, msg.sender_id, msg.body, msg.attachment_ids, msg.created_at
                FROM messages msg JOIN members m ON m.conversation_id = msg.conversation_id
                WHERE m.user_id = \(userID) ORDER BY msg.created_at
                """,
                logger: logger),
            "attachments": try await postgres.jsonRows(
                "SELECT id, conversation_id, content_type, size, file_name, created_at FROM attachments WHERE owner_id = \(userID) ORDER BY created_at",
                logger: logger),
        ]
    }
}
