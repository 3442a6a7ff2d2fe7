import NIOCore
import NIOHTTPTypesHTTP1

/// Puts a ``ProxyChannelHandler`` into a client connection's pipeline where it belongs: Hummingbird adds a
/// connection's extra handlers after its conversion of NIO's HTTP/1 parts to HTTPTypes, and the proxy works on
/// NIO's parts, before that conversion (which it then leaves to the requests the router answers). An HTTP/2 stream
/// has no HTTP/1 parts: there the proxy sits between a conversion to them and one back. Takes itself out once it
/// did so.
final class ProxyInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let proxy: Proxy

    init(proxy: Proxy) {
        self.proxy = proxy
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        do {
            if let conversion = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) {
                try pipeline.addHandler(ProxyChannelHandler(proxy: proxy), position: .before(conversion))
            } else {
                try pipeline.addHandlers(
                    [HTTPToHTTP1ServerCodec(), ProxyChannelHandler(proxy: proxy), HTTP1ToHTTPServerCodec(secure: true)],
                    position: .after(context.handler))
            }
        } catch {
            context.fireErrorCaught(error)
        }
        pipeline.removeHandler(context: context, promise: nil)
    }
}
