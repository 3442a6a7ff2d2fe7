import EventLoopTimers
import NIOCore
import NIOHTTP1
import ServiceKit

/// Sits in each client connection's pipeline ahead of Hummingbird, between NIO's HTTP/1 codec and the conversion to
/// HTTPTypes (see ``ProxyInstaller``): requests for the route table's paths are
/// proxied here, on the connection's event loop, without a task per request (see ``ProxiedRequest``); the rest
/// (the gateway's own routes, unknown paths, CORS preflights) goes on to the router. One request is handled at a
/// time, whichever side handles it, so that pipelined requests are answered in the order they came: parts of
/// the next request wait, and the socket is not read meanwhile. When the server shuts down gracefully, a proxied
/// request in flight is finished before Hummingbird (which does not see it) is told to close the connection. A
/// connection that has no request under way for `clientIdleTimeout` is closed (as nginx's `keepalive_timeout`
/// does), which also ends one that sends the head of its next request too slowly. (The handler joins the pipeline
/// once the first request's head has come, when the WebSocket upgrade was ruled out.)
final class ProxyChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Current {
        case idle
        /// A request the router handles: whether its body ended, whether its answer did.
        case router(requestEnded: Bool, answered: Bool)
        case proxied(ProxiedRequest)
    }

    private let proxy: Proxy
    private var context: ChannelHandlerContext?
    private var local: LoopState?
    private var peer: String?
    private var current = Current.idle
    private var waiting = CircularBuffer<HTTPServerRequestPart>()
    private var readPending = false
    private var draining = false
    /// A graceful shutdown asked to close the connection while a proxied request was in flight.
    private var quiescing = false
    /// Closes the connection when no request came for `clientIdleTimeout`.
    private var idleTimer: DeadlineTimer?
    /// Ends a proxied request whose instance does not answer in time (see ``ProxiedRequest/timedOut()``).
    private var requestTimer: DeadlineTimer?

    init(proxy: Proxy) {
        self.proxy = proxy
    }

    var eventLoop: any EventLoop { context!.eventLoop }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        local = proxy.state(on: context.eventLoop)
        peer = context.channel.remoteAddress?.ipAddress
        idleTimer = DeadlineTimer(on: context.eventLoop) { [weak self] in
            guard let self, case .idle = current, waiting.isEmpty else { return }
            closeConnection()
        }
        requestTimer = DeadlineTimer(on: context.eventLoop) { [weak self] in
            if case .proxied(let request) = self?.current { request.timedOut() }
        }
        closeWhenIdle()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        requestTimer?.cancel()
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idleTimer?.set(nil)
        let part = unwrapInboundIn(data)
        if waiting.isEmpty, takes(part) {
            handle(part)
        } else {
            waiting.append(part)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .proxied(let request) = current { request.clientWritabilityChanged(isWritable: context.channel.isWritable) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .proxied(let request) = current { request.clientClosed() }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, case .proxied = current {
            quiescing = true
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Whether `part` can be handled now: it belongs to the current request, or it starts one and none is current.
    private func takes(_ part: HTTPServerRequestPart) -> Bool {
        switch current {
        case .idle: true
        case .router(let requestEnded, _): !requestEnded
        case .proxied(let request): !request.requestEnded
        }
    }

    private func handle(_ part: HTTPServerRequestPart) {
        switch current {
        case .idle:
            guard case .head(let head) = part, let local, let route = proxy.route(for: head) else {
                current = .router(requestEnded: false, answered: false)
                return passToRouter(part)
            }
            let request = ProxiedRequest(head: head, route: route, proxy: proxy, local: local, owner: self, peer: peer)
            current = .proxied(request)
            request.start()
        case .router(_, let answered):
            passToRouter(part)
            if case .end = part { routerProgressed(requestEnded: true, answered: answered) }
        case .proxied(let request):
            request.receive(part)
        }
    }

    private func passToRouter(_ part: HTTPServerRequestPart) {
        context?.fireChannelRead(wrapInboundOut(part))
        if draining { context?.fireChannelReadComplete() }
    }

    private func routerProgressed(requestEnded: Bool, answered: Bool) {
        if requestEnded, answered {
            current = .idle
            drain()
        } else {
            current = .router(requestEnded: requestEnded, answered: answered)
        }
    }

    /// Handles what waited for the request that just ended.
    private func drain() {
        guard !draining else { return }
        draining = true
        while let part = waiting.first, takes(part) {
            handle(waiting.removeFirst())
        }
        draining = false
        resumeReading()
        closeWhenIdle()
    }

    /// Closes the connection if it is still idle after `clientIdleTimeout`.
    private func closeWhenIdle() {
        guard case .idle = current, waiting.isEmpty else { return }
        idleTimer?.set(.now() + TimeAmount(proxy.configuration.clientIdleTimeout))
    }

    // MARK: Outbound

    /// The router's answers pass on; the end of one lets the next request start.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data), case .router(let requestEnded, _) = current {
            routerProgressed(requestEnded: requestEnded, answered: true)
        }
    }

    /// Holds the socket's reads while a request waits, or while the instance cannot take the body yet.
    func read(context: ChannelHandlerContext) {
        if isReading {
            context.read()
        } else {
            readPending = true
        }
    }

    private var isReading: Bool {
        guard waiting.isEmpty else { return false }
        if case .proxied(let request) = current { return request.wantsInput }
        return true
    }

    // MARK: For the proxied request

    func write(_ part: HTTPServerResponsePart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func resumeReading() {
        guard readPending, isReading, let context else { return }
        readPending = false
        context.read()
    }

    /// When the instance's answer is due, or `nil` once it started.
    func answerDue(_ deadline: NIODeadline?) {
        requestTimer?.set(deadline)
    }

    func closeConnection() {
        context?.close(promise: nil)
    }

    func requestFinished(_ request: ProxiedRequest) {
        guard case .proxied(let finished) = current, finished === request else { return }
        current = .idle
        if request.closesConnection || quiescing { return closeConnection() }
        drain()
    }
}
