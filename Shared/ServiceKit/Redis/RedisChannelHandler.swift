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
/// published messages go to `onMessage` instead.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var remaining: Int
        var replies: [RedisValue]
        let promise: EventLoopPromise<[RedisValue]>
    }

    private let reader = RESPReader()
    private var waiting = CircularBuffer<Waiting>()
    private let onMessage: (@Sendable (RedisMessage) -> Void)?

    init(onMessage: (@Sendable (RedisMessage) -> Void)?) {
        self.onMessage = onMessage
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        for command in request.commands {
            buffer.writeRESPCommand(command)
        }
        waiting.append(Waiting(remaining: request.expectedReplies, replies: [], promise: request.promise))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let value = try reader.next() {
                receive(value)
            }
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func receive(_ value: RedisValue) {
        if let onMessage, let message = Self.message(in: value) {
            onMessage(message)
            return
        }
        guard !waiting.isEmpty else { return }
        waiting[waiting.startIndex].replies.append(value)
        waiting[waiting.startIndex].remaining -= 1
        if waiting[waiting.startIndex].remaining == 0 {
            let done = waiting.removeFirst()
            done.promise.succeed(done.replies)
        }
    }

    private func failAll(_ error: any Error) {
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
