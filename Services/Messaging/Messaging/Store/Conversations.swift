import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `conversations` and `members` tables: who talks to whom about which experience, and how far each has read.
struct Conversations: Sendable {
    let postgres: PostgresClient
    let logger: Logger
    private let known = KnownParties()
    /// A member's conversations remembered when their socket opens: their most recent, where they are likely to write.
    static let remembered = 100

    struct Party: Sendable {
        var id: UUID
        var name: String
    }

    /// The traveler's conversation about `experience`, made when there is none yet (`isNew`). A booking named later
    /// is remembered on the existing conversation.
    func open(
        about experience: ExperienceParties, booking: UUID?, traveler: Party, provider: Party, at now: Date
    ) async throws -> (id: UUID, isNew: Bool) {
        try await postgres.transaction(logger: logger) { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO conversations (id, experience_id, experience_title, booking_id, traveler_id, provider_id, last_activity_at, created_at)
                VALUES (\(UUID.random()), \(experience.id), \(experience.title), \(booking), \(traveler.id), \(provider.id), \(now), \(now))
                ON CONFLICT (traveler_id, experience_id) DO NOTHING RETURNING id
                """,
                logger: logger
            )
            for try await id in inserted.decode(UUID.self) {
                try await connection.query(
                    """
                    INSERT INTO members (conversation_id, user_id, role, name)
                    VALUES (\(id), \(traveler.id), 'traveler', \(traveler.name)), (\(id), \(provider.id), 'provider', \(provider.name))
                    """,
                    logger: logger
                )
                return (id, true)
            }
            let existing = try await connection.query(
                """
                UPDATE conversations SET booking_id = coalesce(booking_id, \(booking))
                WHERE traveler_id = \(traveler.id) AND experience_id = \(experience.id) RETURNING id
                """,
                logger: logger
            )
            for try await id in existing.decode(UUID.self) { return (id, false) }
            throw MessagingRefusal.conversationChanged
        }
    }

    /// The traveler's conversation about the experience, if there is one.
    func id(traveler: UUID, experience: UUID) async throws -> UUID? {
        let rows = try await postgres.query(
            "SELECT id FROM conversations WHERE traveler_id = \(traveler) AND experience_id = \(experience)", logger: logger
        )
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// The conversation as `reader` sees it (their unread count), or `nil` when there is none.
    func find(_ id: UUID, reader: UUID) async throws -> Conversation? {
        for try await conversation in try await postgres.execute(ConversationLookup(id: id, reader: reader), logger: logger) { return conversation }
        return nil
    }

    /// The conversation's parties, or `nil` when there is no such conversation.
    func parties(of id: UUID) async throws -> ConversationParties? {
        if let parties = known[id] { return parties }
        var parties: ConversationParties?
        for try await (title, participant) in try await postgres.execute(PartiesLookup(id: id), logger: logger) {
            parties = parties ?? ConversationParties(id: id, experienceTitle: title, participants: [])
            parties?.participants.append(participant)
        }
        if let parties { known.remember(parties) }
        return parties
    }

    /// The reader's conversations, newest activity first, older than `cursor`.
    func list(of reader: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> [Conversation] {
        try await select(
            """
            \(unescaped: Self.head)
            WHERE c.id IN (SELECT conversation_id FROM members WHERE user_id = \(reader))
              AND (\(cursor?.time)::timestamptz IS NULL OR (c.last_activity_at, c.id) < (\(cursor?.time), \(cursor?.id)::uuid))
            ORDER BY c.last_activity_at DESC, c.id DESC LIMIT \(limit)
            """,
            reader: reader
        )
    }

    /// Marks the reader's conversation read up to `message` (never backwards) and returns what is left unread; `nil`
    /// when that message is not one of the conversation's.
    func markRead(_ conversation: UUID, reader: UUID, upTo message: UUID, at now: Date) async throws -> Int? {
        let rows = try await postgres.query(
            """
            UPDATE members SET read_seq = greatest(members.read_seq, m.seq), read_at = \(now)
            FROM messages m, conversations c
            WHERE m.id = \(message) AND m.conversation_id = \(conversation) AND c.id = \(conversation)
              AND members.conversation_id = \(conversation) AND members.user_id = \(reader)
            RETURNING (c.last_seq - members.read_seq)::int
            """,
            logger: logger
        )
        for try await unread in rows.decode(Int.self) { return unread }
        return nil
    }

    /// The parties of the user's conversations, the most recently active first, at most 1 000: whom to tell when
    /// the user comes and goes. The first `remembered` are remembered, so that the frames of a socket just opened find
    /// their conversation here instead of each asking PostgreSQL on its first frame (bench/messaging's first second,
    /// a thousand conversations' first messages at once, had a p99 of 60–140 ms against 13 after it).
    func parties(ofMember user: UUID) async throws -> [ConversationParties] {
        let rows = try await postgres.query(
            """
            SELECT c.id, c.experience_title, m.user_id, m.role, m.name
            FROM (SELECT c.id, c.experience_title, c.last_activity_at FROM members me JOIN conversations c ON c.id = me.conversation_id
                  WHERE me.user_id = \(user) ORDER BY c.last_activity_at DESC, c.id DESC LIMIT 1000) c
            JOIN members m ON m.conversation_id = c.id
            ORDER BY c.last_activity_at DESC, c.id DESC, m.role DESC
            """,
            logger: logger
        )
        var all: [ConversationParties] = []
        for try await (id, title, member, role, name) in rows.decode((UUID, String, UUID, String, String).self) {
            if all.last?.id != id { all.append(ConversationParties(id: id, experienceTitle: title, participants: [])) }
            all[all.count - 1].participants.append(Conversation.Participant(userId: member, role: role, name: name))
        }
        for parties in all.prefix(Self.remembered) { known.remember(parties) }
        return all
    }

    /// Over the conversations of `user` opened since `since`: how many others wrote in, how many of those `user`
    /// answered within a day, and the median seconds to their first answer.
    func responses(of user: UUID, since: Date) async throws -> (asked: Int, answeredInADay: Int, medianSeconds: Double?) {
        let rows = try await postgres.query(
            """
            WITH asked AS (
                SELECT c.id, (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.sender_id <> \(user)) AS at
                FROM members me JOIN conversations c ON c.id = me.conversation_id
                WHERE me.user_id = \(user) AND c.created_at > \(since)
            ), answered AS (
                SELECT a.at, (SELECT min(m.created_at) FROM messages m
                              WHERE m.conversation_id = a.id AND m.sender_id = \(user) AND m.created_at >= a.at) AS reply
                FROM asked a WHERE a.at IS NOT NULL
            )
            SELECT count(*)::int, (count(*) FILTER (WHERE reply <= at + interval '1 day'))::int,
                   (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM reply - at)) FILTER (WHERE reply IS NOT NULL))::float8
            FROM answered
            """,
            logger: logger
        )
        for try await row in rows.decode((Int, Int, Double?).self) { return (row.0, row.1, row.2) }
        return (0, 0, nil)
    }

    /// A conversation with its parties (traveler first) and their read marks, and its last message.
    static let head = """
        SELECT c.id, c.experience_id, c.experience_title, c.booking_id, c.last_activity_at, c.created_at, c.last_seq,
               parties.ids, parties.roles, parties.names, parties.read, \(Messages.columns("last"))
        FROM conversations c
        CROSS JOIN LATERAL (
            SELECT array_agg(user_id ORDER BY role DESC) AS ids, array_agg(role ORDER BY role DESC) AS roles,
                   array_agg(name ORDER BY role DESC) AS names, array_agg(read_seq ORDER BY role DESC) AS read
            FROM members WHERE conversation_id = c.id
        ) parties
        LEFT JOIN messages last ON last.conversation_id = c.id AND last.seq = c.last_seq
        """

    private func select(_ query: PostgresQuery, reader: UUID) async throws -> [Conversation] {
        var conversations: [Conversation] = []
        for try await row in try await postgres.query(query, logger: logger) { conversations.append(try Self.conversation(in: row, reader: reader)) }
        return conversations
    }

    /// The conversation in a row of ``head``, with `reader`'s unread count.
    static func conversation(in row: PostgresRow, reader: UUID) throws -> Conversation {
        let (id, experience, title, booking, activity, created, lastSeq, ids, roles, names, read) =
            try row.decode((UUID, UUID, String, UUID?, Date, Date, Int64, [UUID], [String], [String], [Int64]).self)
        let participants = ids.indices.map { index in
            Conversation.Participant(userId: ids[index], role: roles[index], name: names[index])
        }
        let readSeq = ids.firstIndex(of: reader).map { read[$0] } ?? lastSeq
        return Conversation(
            id: id, experienceId: experience, experienceTitle: title, bookingId: booking, participants: participants,
            unreadCount: Int(Swift.max(0, lastSeq - readSeq)), lastMessage: try Messages.message(in: row, from: 11),
            lastActivityAt: activity, createdAt: created
        )
    }
}
