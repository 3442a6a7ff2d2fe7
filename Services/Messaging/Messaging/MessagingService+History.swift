import Contracts
import Foundation
import ServiceKit

/// What members read: their conversations with the participants' presence, and a conversation's history.
extension MessagingService {
    /// The user's conversations, most recently active first, with presence.
    func conversations(of user: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> [Conversation] {
        await withPresence(try await conversations.list(of: user, before: cursor, limit: limit))
    }

    /// A page of the conversation's history: before message `before` newest first, or after `after` oldest first;
    /// each must be one of its messages.
    func history(of conversation: ConversationParties, before: UUID?, after: UUID?, limit: Int) async throws -> [Message] {
        let beforeSeq = try await position(of: before, "before", in: conversation.id)
        let afterSeq = try await position(of: after, "after", in: conversation.id)
        guard beforeSeq == nil || afterSeq == nil else { throw Problem.refused("after", "cannot be combined with before") }
        return try await messages.page(of: conversation.id, before: beforeSeq, after: afterSeq, limit: limit)
    }

    /// The conversations with their participants' presence, read from Redis in one round trip.
    func withPresence(_ conversations: [Conversation]) async -> [Conversation] {
        let users = Array(Set(conversations.flatMap { $0.participants.map(\.userId) }))
        let states = await presence.states(of: users, at: clock.now())
        return conversations.map { conversation in
            var conversation = conversation
            for index in conversation.participants.indices {
                let state = states[conversation.participants[index].userId]
                conversation.participants[index].online = state?.online
                conversation.participants[index].lastSeenAt = state?.lastSeenAt
            }
            return conversation
        }
    }

    /// The `seq` of the message a cursor names, which must be one of this conversation's.
    private func position(of message: UUID?, _ field: String, in conversation: UUID) async throws -> Int64? {
        guard let message else { return nil }
        guard let seq = try await messages.seq(of: message, in: conversation) else {
            throw Problem.refused(field, "must be the id of a message of this conversation")
        }
        return seq
    }
}

extension MessagingService {
    /// How `user` answered the conversations others opened with them lately.
    func responseStats(of user: UUID) async throws -> ResponseStats {
        let found = try await conversations.responses(of: user, since: clock.now().addingTimeInterval(-ResponseStats.period))
        return ResponseStats(userID: user, asked: found.asked, answeredInADay: found.answeredInADay, medianSeconds: found.medianSeconds)
    }
}
