import Foundation
import NIOCore
import NIOPosix

/// A TCP server on loopback that passes health checks (`GET /health` is a plain 200) but answers anything else
/// with bytes that are not HTTP, then closes the connection.
final class GarbageServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = String(buffer: unwrapInboundIn(data))
            let text =
                request.hasPrefix("GET /health ")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" : "NOT HTTP AT ALL\r\n\r\n"
            let reply = context.channel.allocator.buffer(string: text)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    init() throws {
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler()) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
    }

    func close() {
        channel.close(promise: nil)
    }
}
