import Contracts
import Foundation
import Testing

@testable import Messaging

/// Messaging writes its frames by hand (`ServerFrame.text`); they must be what `JSONEncoder.mayaGo` writes, byte for
/// byte, for every kind of frame and whatever a message holds.
@Suite struct ServerFrameJSONTests {
    static let message = Message(
        id: UUID(), conversationId: UUID(), seq: 9_007_199_254_740_993, senderId: UUID(), clientMessageId: "c-\"1\"/\\",
        body: "¿Nos vemos en el cenote?\n\t\u{01}\u{1F} 🌊 \"azul\" / \\ \u{2028}", attachmentIds: [UUID(), UUID()],
        createdAt: Date(timeIntervalSince1970: 1_800_000_000.123), translation: .init(language: "en", body: "See you at the \"cenote\"?"))

    static let frames: [ServerFrame] = [
        .message(message),
        .message(
            Message(
                id: UUID(), conversationId: UUID(), seq: 1, senderId: UUID(), clientMessageId: "x", body: "", attachmentIds: [],
                createdAt: Date(timeIntervalSince1970: -1), translation: nil)),
        .sent(message),
        .acknowledged(.ping),
        .acknowledged(.read, conversation: UUID()),
        .typing(UUID(), in: UUID(), until: Date(timeIntervalSince1970: 1_800_000_000)),
        .read(UUID(), in: UUID(), upTo: UUID(), at: Date(timeIntervalSince1970: 1_700_000_000.5)),
        .presence(UUID(), online: true, lastSeenAt: nil),
        .presence(UUID(), online: false, lastSeenAt: Date(timeIntervalSince1970: 1_700_000_000.999)),
        .error("invalid", "body: must not be empty; \"clientMessageId\": must be 1 to 100 characters", conversation: UUID(), clientMessageId: "c\n1"),
        .error("rate_limited", "More than 120 frames a minute"),
    ]

    @Test(arguments: frames) func theSameBytesAsTheEncoder(_ frame: ServerFrame) throws {
        #expect(frame.text == String(decoding: try JSONEncoder.mayaGo.encode(frame), as: UTF8.self))
    }
}
