import Contracts
import Foundation
import Hummingbird

/// A conversation between a traveler and the provider of one experience, as its members see it.
struct Conversation: ResponseCodable, Equatable {
    struct Participant: Codable, Sendable, Equatable {
        enum Role: String, Codable, Sendable {
            case traveler, provider
        }

        var userId: UUID
        var role: Role
        var name: String
        /// Whether the participant has a socket open now, and when they were last seen (Redis' presence).
        var online: Bool?
        var lastSeenAt: Date?
    }

    var id: UUID
    var experienceId: UUID
    var experienceTitle: String
    var bookingId: UUID?
    var participants: [Participant]
    /// Messages from the other side that the caller has not read yet.
    var unreadCount: Int
    var lastMessage: Message?
    var lastActivityAt: Date
    var createdAt: Date

    var parties: ConversationParties {
        ConversationParties(id: id, experienceTitle: experienceTitle, participants: participants)
    }
}

extension Conversation.Participant {
    /// A participant as a row of `members` holds it: its role as text, which only Messaging writes (a role it does not
    /// know reads as a traveler's).
    init(userId: UUID, role: String, name: String) {
        self.init(userId: userId, role: Role(rawValue: role) ?? .traveler, name: name)
    }
}

/// Who talks in a conversation, and about what: all that sending, read marks, typing and attachments need, without
/// what showing one adds (the reader's unread count, the last message), which costs the database more to find.
struct ConversationParties: Sendable, Equatable {
    var id: UUID
    var experienceTitle: String
    /// The traveler first.
    var participants: [Conversation.Participant]

    func isMember(_ user: UUID) -> Bool {
        participants.contains { $0.userId == user }
    }

    /// Who hears of what `user` does here: the other participants (both, when an admin writes).
    func others(than user: UUID) -> [UUID] {
        participants.map(\.userId).filter { $0 != user }
    }
}

/// One message. `seq` orders a conversation's messages; `clientMessageId` is the sender's own id for it, which
/// makes a resend harmless.
struct Message: ResponseCodable, Equatable {
    struct Translation: Codable, Sendable, Equatable {
        var language: String
        var body: String
    }

    var id: UUID
    var conversationId: UUID
    var seq: Int64
    var senderId: UUID
    var clientMessageId: String
    var body: String
    var attachmentIds: [UUID]
    var createdAt: Date
    /// The body in the language the reader asked for, when a translation provider is configured.
    var translation: Translation?
}
