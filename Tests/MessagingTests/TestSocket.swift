import Contracts
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import ServiceKit
import TestSupport
import Testing

@testable import Messaging

/// A frame as a client reads it.
struct TestFrame: Decodable, Sendable {
    var type: String
    var of: String?
    var message: Message?
    var conversationId: UUID?
    var userId: UUID?
    var clientMessageId: String?
    var upToMessageId: UUID?
    var online: Bool?
    var code: String?
    var detail: String?
}

/// A WebSocket client for tests: it keeps every frame it gets, and can wait for the ones it expects.
final class TestSocket: Sendable {
    private let writer = NIOLockedValueBox<WebSocketOutboundWriter?>(nil)
    private let received = NIOLockedValueBox<[TestFrame]>([])
    private let closing = NIOLockedValueBox<WebSocketCloseFrame??>(nil)
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    static func connect(url: String, token: String) async throws -> TestSocket {
        let socket = TestSocket()
        let opened = AsyncStream<Result<Void, any Error>>.makeStream()
        let task = Task {
            do {
                let close = try await WebSocketClient.connect(
                    url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(token)"]), logger: Logger(label: "test-socket")
                ) { inbound, outbound, _ in
                    socket.writer.withLockedValue { $0 = outbound }
                    opened.continuation.yield(.success(()))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let frame = try? JSONDecoder.mayaGo.decode(TestFrame.self, from: Data(text.utf8)) else {
                            continue
                        }
                        socket.received.withLockedValue { $0.append(frame) }
                    }
                }
                socket.closing.withLockedValue { $0 = .some(close) }
            } catch {
                socket.closing.withLockedValue { $0 = .some(nil) }
                opened.continuation.yield(.failure(error))
            }
        }
        socket.task.withLockedValue { $0 = task }
        for await result in opened.stream {
            try result.get()
            break
        }
        return socket
    }

    func send(_ frame: [String: any Sendable]) async throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: frame), as: UTF8.self)
        try await writer.withLockedValue { $0 }!.write(.text(text))
    }

    var frames: [TestFrame] {
        received.withLockedValue { $0 }
    }

    /// The first `count` frames that match, once they have arrived.
    @discardableResult
    func wait(for count: Int = 1, timeout: Duration = .seconds(45), _ matching: @escaping @Sendable (TestFrame) -> Bool) async throws -> [TestFrame] {
        let arrived = await eventually(timeout: timeout) { self.frames.filter(matching).count >= count }
        try #require(arrived, "waited \(timeout) for \(count) frames; got \(frames.map(\.type))")
        return Array(frames.filter(matching).prefix(count))
    }

    /// The messages received, in order.
    var messages: [Message] {
        frames.filter { $0.type == "message" }.compactMap(\.message)
    }

    /// Whether the server closed the socket.
    var isClosed: Bool {
        closing.withLockedValue { $0 != nil }
    }

    /// The close frame the server sent, once it closed the socket.
    var closeFrame: WebSocketCloseFrame? {
        closing.withLockedValue { $0 ?? nil }
    }

    func close() async {
        try? await writer.withLockedValue { $0 }?.close(.normalClosure, reason: nil)
        _ = await eventually(timeout: .seconds(30)) { self.isClosed }
        task.withLockedValue { $0 }?.cancel()
    }
}
