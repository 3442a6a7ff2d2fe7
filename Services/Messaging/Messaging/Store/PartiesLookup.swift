import Foundation
import PostgresNIO
import ServiceKit

/// A conversation's parties (``Conversations/parties(of:)``), one row each, the traveler first: every socket's first
/// frame about a conversation asks for them, and so does every send and read mark over HTTP. After a restart every
/// client's first message asks at once, so this is the lightest question that answers them (pg_stat_statements over
/// the messaging bench's first second: 2 000 of the full ``ConversationLookup`` took PostgreSQL 200 ms). Prepared
/// once per connection, as planning costs more than running.
struct PartiesLookup: PreparedStatementByID {
    typealias Row = (experienceTitle: String, participant: Conversation.Participant)
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "messaging.parties_lookup"

    static let sql = """
        SELECT c.experience_title, m.user_id, m.role, m.name
        FROM conversations c JOIN members m ON m.conversation_id = c.id
        WHERE c.id = $1 ORDER BY m.role DESC
        """

    let id: UUID

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (title, user, role, name) = try row.decode((String, UUID, String, String).self)
        return (title, Conversation.Participant(userId: user, role: role, name: name))
    }
}
