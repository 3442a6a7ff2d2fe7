import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Writes bytes to a server as they are (several requests in one write, for pipelining) and returns all it
/// answered until it closed the connection, or until `patience` ran out.
enum RawConnection {
    static let patience = Duration.seconds(10)

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = NIOLockedValueBox(ByteBuffer())
        let closed: EventLoopPromise<Void>

        init(closed: EventLoopPromise<Void>) {
            self.closed = closed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            received.withLockedValue { _ = $0.writeBuffer(&chunk) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.succeed()
        }
    }

    static func exchange(_ text: String, port: Int) async throws -> String {
        try await exchangeUntilClosed(text, port: port).answers
    }

    /// The answers, and whether the server closed the connection (rather than the client, out of patience): what a
    /// test of closing asserts, which a slow machine cannot fake the way it can stretch a time.
    static func exchangeUntilClosed(_ text: String, port: Int) async throws -> (answers: String, closedByServer: Bool) {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let collector = Collector(closed: loop.makePromise())
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        try await channel.writeAndFlush(ByteBuffer(string: text))
        let gaveUp = NIOLockedValueBox(false)
        let giveUp = loop.scheduleTask(in: .init(patience)) {
            gaveUp.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { giveUp.cancel() }
        try await collector.closed.futureResult.get()
        return (String(buffer: collector.received.withLockedValue { $0 }), !gaveUp.withLockedValue { $0 })
    }
}
