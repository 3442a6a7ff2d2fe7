import Contracts
import Foundation

extension ServerFrame {
    /// This frame as `JSONEncoder.mayaGo` writes it, byte for byte (keys sorted, a nil left out), written straight
    /// into bytes: every message is two frames, and through `Codable`'s encoder they were a tenth of Messaging's work
    /// at 2 000 messages a second. `ServerFrameJSONTests` holds the two to the same bytes.
    var text: String {
        var out = JSONOutput(capacity: 512)
        out.open("{")
        out.field("clientMessageId", clientMessageId)
        out.field("code", code)
        out.field("conversationId", conversationId)
        out.field("detail", detail)
        out.field("expiresAt", expiresAt.map(ISO8601Format.string))
        out.field("lastSeenAt", lastSeenAt.map(ISO8601Format.string))
        if let message {
            out.key("message")
            out.message(message)
        }
        out.field("of", of)
        if let online {
            out.key("online")
            out.bool(online)
        }
        out.field("readAt", readAt.map(ISO8601Format.string))
        out.field("type", type.rawValue)
        out.field("upToMessageId", upToMessageId)
        out.field("userId", userId)
        out.close("}")
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

extension JSONOutput {
    fileprivate mutating func message(_ message: Message) {
        open("{")
        key("attachmentIds")
        open("[")
        for id in message.attachmentIds {
            element()
            string(id)
        }
        close("]")
        field("body", message.body)
        field("clientMessageId", message.clientMessageId)
        field("conversationId", message.conversationId)
        field("createdAt", ISO8601Format.string(message.createdAt))
        field("id", message.id)
        field("senderId", message.senderId)
        key("seq")
        number(message.seq)
        if let translation = message.translation {
            key("translation")
            open("{")
            field("body", translation.body)
            field("language", translation.language)
            close("}")
        }
        close("}")
    }
}
