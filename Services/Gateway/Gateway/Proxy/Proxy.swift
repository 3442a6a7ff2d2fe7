import Contracts
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Redis
import ServiceKit
import ServiceLifecycle

/// What every proxied request shares: where paths go, who may pass, the edge's policies, and, per event loop,
/// the state its connections use without locks (see ``LoopState``). As a service, it closes those loops' Redis and
/// idle upstream connections when the application shuts down, after the server (which stops first).
final class Proxy: Service, Sendable {
    struct Configuration: Sendable {
        /// How long an instance may take to start answering (504 after).
        var timeout: Duration = .seconds(30)
        var connectTimeout: Duration = .seconds(2)
        var ejectAfter = 3
        var ejectionCoolDown: Duration = .seconds(10)
        /// How long a client connection may stay open without a request under way.
        var clientIdleTimeout: Duration = .seconds(75)
        /// Whether each request gets a span (an OpenTelemetry collector is configured).
        var traces = false
    }

    /// Where a proxied request goes: its route family (the table's prefix), the owner, and its path, without the query.
    struct Route {
        let prefix: String
        let service: ServiceName
        /// The canonical path (``RouteTable/canonical(_:)``): what the access rules, the limits and the log read.
        let path: String
        /// The canonical path with the request's query: what the instance is asked for.
        let target: String
    }

    let routes: RouteTable
    let pools: [ServiceName: UpstreamPool]
    let admission: Admission
    let clientAddress: ClientAddress
    /// Signs the resolved address the instances get, so that they can believe it.
    let clientSeal: ClientAddressSeal
    let edge: EdgePolicy
    let configuration: Configuration
    let logger: Logger
    private let redis: RedisClient.Configuration
    private let loops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<LoopState>]>([:])

    init(
        routes: RouteTable, pools: [ServiceName: UpstreamPool], admission: Admission, clientAddress: ClientAddress,
        clientSeal: ClientAddressSeal, edge: EdgePolicy, configuration: Configuration,
        redis: RedisClient.Configuration, logger: Logger
    ) {
        self.routes = routes
        self.pools = pools
        self.admission = admission
        self.clientAddress = clientAddress
        self.clientSeal = clientSeal
        self.edge = edge
        self.configuration = configuration
        self.redis = redis
        self.logger = logger
    }

    /// The route family and owner of a request the proxy takes; `nil` for what the router answers (the
    /// gateway's own paths, unknown and internal ones, CORS preflights).
    func route(for head: HTTPRequestHead) -> Route? {
        guard !EdgePolicy.isPreflight(head) else { return nil }
        let given = head.uri.prefix { $0 != "?" }
        let path = RouteTable.canonical(String(given))
        return routes.route(for: path).map { route in
            let target = path.utf8.count == given.utf8.count ? head.uri : path + head.uri[given.endIndex...]
            return Route(prefix: route.prefix, service: route.service, path: path, target: target)
        }
    }

    /// The state of the event loop `loop`, made when one of its connections first needs it.
    func state(on loop: any EventLoop) -> LoopState {
        loops.withLockedValue { loops in
            if let state = loops[ObjectIdentifier(loop)] { return state.value }
            let state = LoopState(loop: loop, connectTimeout: configuration.connectTimeout, redis: redis)
            loops[ObjectIdentifier(loop)] = NIOLoopBound(state, eventLoop: loop)
            return state
        }
    }

    func run() async throws {
        try? await gracefulShutdown()
        for state in loops.withLockedValue({ Array($0.values) }) {
            state.eventLoop.execute { state.value.close() }
        }
    }
}
