import EventLoopTimers
import NIOCore

/// Commands for one round trip: written together, answered by `expectedReplies` replies in order.
struct RedisRequest {
    let commands: [[RedisArgument]]
    let expectedReplies: Int
    let promise: EventLoopPromise<[RedisValue]>
}

/// A message published on a channel the connection subscribed to.
public struct RedisMessage: Sendable, Hashable {
    public let channel: String
    public let payload: ByteBuffer

    public var text: String { String(buffer: payload) }
}

/// Encodes commands, parses replies with hiredis and hands each reply to the request that waits for it, in order,
/// so that any number of requests can be in flight on one connection (pipelining). On a subscriber connection,
/// published messages go to `onMessage` instead. A request not answered within `commandTimeout` fails every
/// request waiting and closes the connection: its reply may still come, and would be taken for the next one's.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        let expectedReplies: Int
        let promise: EventLoopPromise<[RedisValue]>
        let deadline: NIODeadline
    }

    private let reader = RESPReader()
    private var waiting = CircularBuffer<Waiting>()
    /// The replies so far of the first request waiting, kept apart from `waiting`: appended to in place, where an
    /// array inside the buffer's element would be copied at every reply (a pipeline of 10 000 copied 50 million).
    private var replies: [RedisValue] = []
    private let commandTimeout: TimeAmount
    private var timer: DeadlineTimer?
    private let onMessage: (@Sendable (RedisMessage) -> Void)?

    init(commandTimeout: Duration, onMessage: (@Sendable (RedisMessage) -> Void)?) {
        self.commandTimeout = TimeAmount(commandTimeout)
        self.onMessage = onMessage
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = DeadlineTimer(on: context.eventLoop) { [weak self] in
            self?.close(context, failing: RedisError.timeout)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil  // its action holds the context
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        let size = request.commands.reduce(0) { size, command in command.reduce(size + 16) { $0 + $1.byteCount + 16 } }
        var buffer = context.channel.allocator.buffer(capacity: size)
        for command in request.commands {
            buffer.writeRESPCommand(command)
        }
        let deadline = NIODeadline.now() + commandTimeout
        if waiting.isEmpty { timer?.set(deadline) }
        waiting.append(Waiting(expectedReplies: request.expectedReplies, promise: request.promise, deadline: deadline))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let value = try reader.next() {
                receive(value)
            }
        } catch {
            close(context, failing: error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, failing: error)
    }

    private func receive(_ value: RedisValue) {
        if let onMessage, let message = Self.message(in: value) {
            onMessage(message)
            return
        }
        guard let first = waiting.first else { return }
        if replies.isEmpty { replies.reserveCapacity(first.expectedReplies) }
        replies.append(value)
        if replies.count == first.expectedReplies {
            waiting.removeFirst()
            timer?.set(waiting.first?.deadline)
            let done = replies
            replies = []
            first.promise.succeed(done)
        }
    }

    /// Closes the connection, then fails what waited with `error`: a caller told of the failure finds the
    /// connection closed, and does not send its next command on it.
    private func close(_ context: ChannelHandlerContext, failing error: any Error) {
        let failed = waiting
        waiting.removeAll()
        replies = []
        context.close(promise: nil)
        for entry in failed { entry.promise.fail(error) }
    }

    private func failAll(_ error: any Error) {
        timer?.set(nil)
        replies = []
        while let entry = waiting.popFirst() {
            entry.promise.fail(error)
        }
    }

    /// `["message", channel, payload]` or `["pmessage", pattern, channel, payload]`.
    private static func message(in value: RedisValue) -> RedisMessage? {
        guard case .array(let items) = value, let kind = items.first?.string else { return nil }
        switch (kind, items.count) {
        case ("message", 3):
            guard let channel = items[1].string, case .bulk(let payload) = items[2] else { return nil }
            return RedisMessage(channel: channel, payload: payload)
        case ("pmessage", 4):
            guard let channel = items[2].string, case .bulk(let payload) = items[3] else { return nil }
            return RedisMessage(channel: channel, payload: payload)
        default:
            return nil
        }
    }
}
