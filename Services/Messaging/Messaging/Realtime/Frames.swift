import Contracts
import Foundation

/// A frame a client sends on the socket: `send`, `typing`, `read` or `ping`.
struct ClientFrame: Decodable, Sendable {
    enum Kind: String, Decodable, Sendable {
        case send, typing, read, ping
    }

    var type: Kind
    var conversationId: UUID?
    var body: String?
    var attachmentIds: [UUID]?
    var clientMessageId: String?
    var upToMessageId: UUID?
}

/// A frame the server sends: `message`, `typing`, `read`, `presence`, `ack` or `error`. Fields that do not apply to
/// a type are left out.
struct ServerFrame: Encodable, Sendable {
    enum Kind: String, Encodable, Sendable {
        case message, typing, read, presence, ack, error
    }

    var type: Kind
    /// For `ack`: the type of the frame acknowledged.
    var of: ClientFrame.Kind.RawValue?
    var message: Message?
    var conversationId: UUID?
    var userId: UUID?
    var clientMessageId: String?
    var upToMessageId: UUID?
    var readAt: Date?
    var online: Bool?
    var lastSeenAt: Date?
    var expiresAt: Date?
    /// For `error`: a stable code and a text for people.
    var code: String?
    var detail: String?

    static func message(_ message: Message) -> ServerFrame {
        ServerFrame(type: .message, message: message)
    }

    static func sent(_ message: Message) -> ServerFrame {
        ServerFrame(type: .ack, of: "send", message: message, conversationId: message.conversationId, clientMessageId: message.clientMessageId)
    }

    static func acknowledged(_ kind: ClientFrame.Kind, conversation: UUID? = nil) -> ServerFrame {
        ServerFrame(type: .ack, of: kind.rawValue, conversationId: conversation)
    }

    static func typing(_ user: UUID, in conversation: UUID, until expiry: Date) -> ServerFrame {
        ServerFrame(type: .typing, conversationId: conversation, userId: user, expiresAt: expiry)
    }

    static func read(_ user: UUID, in conversation: UUID, upTo message: UUID, at time: Date) -> ServerFrame {
        ServerFrame(type: .read, conversationId: conversation, userId: user, upToMessageId: message, readAt: time)
    }

    static func presence(_ user: UUID, online: Bool, lastSeenAt: Date?) -> ServerFrame {
        ServerFrame(type: .presence, userId: user, online: online, lastSeenAt: lastSeenAt)
    }

    static func error(_ code: String, _ detail: String, conversation: UUID? = nil, clientMessageId: String? = nil) -> ServerFrame {
        ServerFrame(type: .error, conversationId: conversation, clientMessageId: clientMessageId, code: code, detail: detail)
    }
}
