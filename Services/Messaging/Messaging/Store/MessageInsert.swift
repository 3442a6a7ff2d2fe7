import Foundation
import PostgresNIO

/// Stores a message once per `clientMessageId`, in one statement: a resend finds the first message (`isNew` false);
/// otherwise the conversation's row lock gives the message its place and its time, and the sender has read up to it.
/// Prepared once per connection: planning this statement cost the database as much as running it.
struct MessageInsert: PostgresPreparedStatement {
    typealias Row = (message: Message?, isNew: Bool)
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "messaging.message_insert"

    static let sql = """
        WITH earlier AS (
            SELECT * FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND client_message_id = $3
        ), next AS (
            UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = clock_timestamp()
            WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM earlier) RETURNING last_seq, last_activity_at
        ), stored AS (
            INSERT INTO messages (id, conversation_id, seq, sender_id, client_message_id, body, attachment_ids, created_at)
            SELECT $4, $1, last_seq, $2, $3, $5, $6, last_activity_at FROM next
            RETURNING *
        ), mark AS (
            UPDATE members SET read_seq = stored.seq, read_at = stored.created_at FROM stored
            WHERE members.conversation_id = stored.conversation_id AND members.user_id = stored.sender_id
        )
        SELECT \(Messages.columns("m")), true FROM stored m
        UNION ALL SELECT \(Messages.columns("m")), false FROM earlier m
        """

    let draft: Messages.Draft
    let id: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(draft.conversation)
        bindings.append(draft.sender)
        bindings.append(draft.clientMessageID)
        bindings.append(id)
        bindings.append(draft.body)
        bindings.append(draft.attachments)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        (try Messages.message(in: row, from: 0), try row.makeRandomAccess()[8].decode(Bool.self))
    }
}
