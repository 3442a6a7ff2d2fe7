import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `messages` table. A message is stored under its conversation's row lock, which gives it the next `seq` and
/// a time from the database's clock, so that order is the same whichever instance stored it.
struct Messages: Sendable {
    let postgres: PostgresClient
    /// The replica for reads that may lag (`DatabaseReads`), or the primary.
    let reads: PostgresClient
    /// A sent message's notices go out through it as soon as the message commits.
    let outbox: OutboxRelay
    let logger: Logger

    /// What a member asks to send.
    struct Draft: Sendable {
        var conversation: UUID
        var sender: UUID
        var body: String
        var attachments: [UUID]
        var clientMessageID: String
    }

    /// Whom to tell, by Notify, of a message they missed while offline.
    struct OfflineNotice: Sendable {
        var recipients: [UUID]
        /// At most one notice per conversation and recipient within this time.
        var window: Duration
    }

    /// Stores `draft` once per `clientMessageId` (`isNew` false for a resend, which returns the first one). Offline
    /// recipients not told of this conversation lately get a notice through the outbox, in the same transaction.
    func send(_ draft: Draft, in conversation: ConversationParties, offline: OfflineNotice) async throws -> (message: Message, isNew: Bool) {
        do {
            let sent = try await store(draft, in: conversation, offline: offline)
            if sent.isNew { ServiceMetrics.count("mayago.messages.sent") }
            return sent
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw {
            // The same resend arrived twice at once and the other stored it first: now it is found.
            return try await store(draft, in: conversation, offline: offline)
        }
    }

    private func store(_ draft: Draft, in conversation: ConversationParties, offline: OfflineNotice) async throws -> (message: Message, isNew: Bool) {
        // Alone, the statement is atomic by itself: no transaction (two round trips more) and no outbox round.
        guard !draft.attachments.isEmpty || !offline.recipients.isEmpty else {
            return try await insert(draft, on: nil)
        }
        return try await outbox.transaction { connection in
            if !draft.attachments.isEmpty {
                let bound = try await connection.query(
                    """
                    UPDATE attachments SET conversation_id = \(draft.conversation)
                    WHERE id = ANY(\(draft.attachments)) AND owner_id = \(draft.sender)
                      AND (conversation_id IS NULL OR conversation_id = \(draft.conversation))
                    RETURNING id
                    """,
                    logger: logger
                )
                let count = try await bound.decode(UUID.self).reduce(0) { count, _ in count + 1 }
                guard count == Set(draft.attachments).count else {
                    throw MessagingRefusal.foreignAttachments
                }
            }
            let (message, isNew) = try await insert(draft, on: connection)
            if isNew, !offline.recipients.isEmpty {
                try await notify(offline, of: message, in: conversation, on: connection)
            }
            return (message, isNew)
        }
    }

    /// On `connection` when given, in the caller's transaction.
    private func insert(_ draft: Draft, on connection: PostgresConnection?) async throws -> (message: Message, isNew: Bool) {
        var found: (Message, Bool)?
        for try await (message, isNew) in try await postgres.execute(MessageInsert(draft: draft, id: UUID.random()), on: connection, logger: logger) {
            if let message { found = (message, isNew) }
        }
        guard let found else { throw MessagingRefusal.noConversation }
        return found
    }

    /// Writes Notify's notice for each offline recipient whose last one for this conversation is older than the window.
    private func notify(_ offline: OfflineNotice, of message: Message, in conversation: ConversationParties, on connection: PostgresConnection) async throws {
        let since = message.createdAt.addingTimeInterval(-offline.window.milliseconds / 1000)
        let due = try await connection.query(
            """
            UPDATE members SET notified_at = \(message.createdAt)
            WHERE conversation_id = \(conversation.id) AND user_id = ANY(\(offline.recipients))
              AND (notified_at IS NULL OR notified_at < \(since))
            RETURNING user_id
            """,
            logger: logger
        )
        let sender = conversation.participants.first { $0.userId == message.senderId }?.name ?? "MayaGo"
        for try await recipient in due.decode(UUID.self) {
            let request = NotificationRequest(
                type: .newMessage, recipientId: recipient,
                data: [
                    "conversationId": .string(conversation.id.lowercasedString), "senderName": .string(sender),
                    "experienceTitle": .string(conversation.experienceTitle), "preview": .string(MessageBody.preview(message.body)),
                ],
                idempotencyKey: "messaging-\(message.id.lowercasedString)-\(recipient.lowercasedString)"
            )
            try await Outbox.enqueue(request, on: connection, logger: logger)
        }
    }

    /// A page of the conversation's history: before `before` newest first, or after `after` oldest first. Reading
    /// back may lag a moment (what was just sent reaches the sockets anyway); catching up `after` a message may not.
    func page(of conversation: UUID, before: Int64?, after: Int64?, limit: Int) async throws -> [Message] {
        try await list(
            """
            SELECT \(unescaped: Self.columns("m")) FROM messages m
            WHERE m.conversation_id = \(conversation) AND (\(before)::bigint IS NULL OR m.seq < \(before)) AND (\(after)::bigint IS NULL OR m.seq > \(after))
            ORDER BY CASE WHEN \(after)::bigint IS NULL THEN -m.seq ELSE m.seq END LIMIT \(limit)
            """,
            mayLag: after == nil
        )
    }

    /// The sequence number of `message` in `conversation`, or `nil` when it is not one of its messages.
    func seq(of message: UUID, in conversation: UUID) async throws -> Int64? {
        let rows = try await postgres.query("SELECT seq FROM messages WHERE id = \(message) AND conversation_id = \(conversation)", logger: logger)
        for try await seq in rows.decode(Int64.self) { return seq }
        return nil
    }

    /// What a member missed since `message` (theirs to read), in order: in its conversation what came after it, in
    /// the others what was stored from a little before it on, since messages of different conversations may
    /// commit in another order than their times. `nil` when `message` is not the member's to read.
    func missed(by member: UUID, since message: UUID, limit: Int) async throws -> [Message]? {
        let known = try await postgres.query(
            "SELECT 1 FROM messages m JOIN members ON members.conversation_id = m.conversation_id AND members.user_id = \(member) WHERE m.id = \(message)",
            logger: logger
        )
        guard try await known.returnedARow() else { return nil }
        return try await list(
            """
            WITH since AS (SELECT conversation_id, seq, created_at FROM messages WHERE id = \(message))
            SELECT \(unescaped: Self.columns("m")) FROM messages m
            JOIN members ON members.conversation_id = m.conversation_id AND members.user_id = \(member), since
            WHERE m.created_at > since.created_at - interval '2 seconds'
              AND (m.conversation_id <> since.conversation_id OR m.seq > since.seq)
            ORDER BY m.created_at, m.seq LIMIT \(limit)
            """
        )
    }

    /// Empties the body and drops the attachments of every message `sender` sent (their account is erased); the
    /// messages keep their place in the conversations, which are the other member's too.
    func erase(sentBy sender: UUID) async throws {
        try await postgres.query("UPDATE messages SET body = '', attachment_ids = '{}' WHERE sender_id = \(sender)", logger: logger)
    }

    /// The columns of a message from the table aliased `alias`, as ``message(in:from:)`` reads them.
    static func columns(_ alias: String) -> String {
        ["id", "conversation_id", "seq", "sender_id", "client_message_id", "body", "attachment_ids", "created_at"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    /// The message in `row`'s columns from `offset` on, `nil` when they are null (no message joined).
    static func message(in row: PostgresRow, from offset: Int) throws -> Message? {
        let cells = row.makeRandomAccess()
        guard let id = try cells[offset].decode(UUID?.self) else { return nil }
        return Message(
            id: id, conversationId: try cells[offset + 1].decode(UUID.self), seq: try cells[offset + 2].decode(Int64.self),
            senderId: try cells[offset + 3].decode(UUID.self), clientMessageId: try cells[offset + 4].decode(String.self),
            body: try cells[offset + 5].decode(String.self), attachmentIds: try cells[offset + 6].decode([UUID].self),
            createdAt: try cells[offset + 7].decode(Date.self)
        )
    }

    private func list(_ query: PostgresQuery, mayLag: Bool = false) async throws -> [Message] {
        var messages: [Message] = []
        for try await row in try await (mayLag ? reads : postgres).query(query, logger: logger) {
            if let message = try Self.message(in: row, from: 0) { messages.append(message) }
        }
        return messages
    }
}
