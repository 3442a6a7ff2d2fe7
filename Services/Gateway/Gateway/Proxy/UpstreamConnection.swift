import NIOCore
import NIOHTTP1

/// A keep-alive HTTP/1.1 connection to one upstream instance, on the event loop of the client connections it
/// serves. It relays what arrives to the request it serves now, if any; an idle one that hears anything closes.
final class UpstreamConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// The request this connection serves now.
    var request: ProxiedRequest?
    /// Whether it served a request before this one (a reused connection that closes before answering was
    /// closed by the instance while idle, which is no fault of the instance's).
    var isReused = false
    private var context: ChannelHandlerContext?

    var isActive: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Writes a part of the client's request (or the forwarded head).
    func write(_ part: HTTPServerRequestPart) {
        let outgoing: HTTPClientRequestPart =
            switch part {
            case .head(let head): .head(head)
            case .body(let chunk): .body(.byteBuffer(chunk))
            case .end(let trailers): .end(trailers)
            }
        context?.write(wrapOutboundOut(outgoing), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// Stops or resumes reading the answer while the client cannot take more of it.
    func setReading(_ reading: Bool) {
        try? context?.channel.syncOptions?.setOption(.autoRead, value: reading)
        if reading { context?.read() }
    }

    func close() {
        request = nil
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let request else { return context.close(promise: nil) }
        request.upstreamReceived(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        request?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        request?.upstreamWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let request = request
        self.request = nil
        request?.upstreamClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
