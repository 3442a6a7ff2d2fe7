import Contracts
import Foundation

extension ServerFrame {
    /// This frame as `JSONEncoder.mayaGo` writes it, byte for byte (keys sorted, a nil left out), written straight
    /// into bytes: every message is two frames, and through `Codable`'s encoder they were a tenth of Messaging's work
    /// at 2 000 messages a second. `ServerFrameJSONTests` holds the two to the same bytes.
    var text: String {
        var out = JSONOutput(capacity: 512)
        out.open("{")
        if let clientMessageId {
            out.key("clientMessageId")
            out.string(clientMessageId)
        }
        if let code {
            out.key("code")
            out.string(code)
        }
        if let conversationId {
            out.key("conversationId")
            out.string(conversationId.uuidString)
        }
        if let detail {
            out.key("detail")
            out.string(detail)
        }
        if let expiresAt {
            out.key("expiresAt")
            out.date(expiresAt)
        }
        if let lastSeenAt {
            out.key("lastSeenAt")
            out.date(lastSeenAt)
        }
        if let message {
            out.key("message")
            out.message(message)
        }
        if let of {
            out.key("of")
            out.string(of)
        }
        if let online {
            out.key("online")
            out.bool(online)
        }
        if let readAt {
            out.key("readAt")
            out.date(readAt)
        }
        out.key("type")
        out.string(type.rawValue)
        if let upToMessageId {
            out.key("upToMessageId")
            out.string(upToMessageId.uuidString)
        }
        if let userId {
            out.key("userId")
            out.string(userId.uuidString)
        }
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
            string(id.uuidString)
        }
        close("]")
        key("body")
        string(message.body)
        key("clientMessageId")
        string(message.clientMessageId)
        key("conversationId")
        string(message.conversationId.uuidString)
        key("createdAt")
        date(message.createdAt)
        key("id")
        string(message.id.uuidString)
        key("senderId")
        string(message.senderId.uuidString)
        key("seq")
        number(message.seq)
        if let translation = message.translation {
            key("translation")
            open("{")
            key("body")
            string(translation.body)
            key("language")
            string(translation.language)
            close("}")
        }
        close("}")
    }
}
