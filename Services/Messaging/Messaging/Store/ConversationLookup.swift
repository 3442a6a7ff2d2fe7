import Foundation
import PostgresNIO
import ServiceKit

/// One conversation as its reader sees it (``Conversations/find(_:reader:)``). Prepared once per connection: planning
/// it took PostgreSQL longer than running it (EXPLAIN ANALYZE over the messaging bench's data: 1.0 ms against 0.2).
struct ConversationLookup: PreparedStatementByID {
    typealias Row = Conversation
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "messaging.conversation_lookup"

    static let sql = "\(Conversations.head) WHERE c.id = $1"

    let id: UUID
    let reader: UUID

    func decodeRow(_ row: PostgresRow) throws -> Conversation {
        try Conversations.conversation(in: row, reader: reader)
    }
}
