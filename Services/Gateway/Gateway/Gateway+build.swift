import Contracts
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdWebSocket
import Redis
import ServiceKit

/// Builds the gateway, the only public door. Requests for the public API are proxied by ``ProxyChannelHandler``
/// on each connection's event loop: request id, token or API key, rate limit, access rules, then an instance of
/// the owning service, with security headers, CORS and gzip on the answer, logged and counted. The router answers
/// the rest (health, metrics, the API docs, CORS preflights, unknown paths) with the same edge policies, and the
/// WebSocket upgrade is relayed to Messaging.
public func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
    var settings = try GatewaySettings(configuration.settings)
    settings.proxy.traces = configuration.tracesEndpoint != nil
    let runtime = try await ServiceRuntime<RedisStore>(configuration: configuration)
    let pools = Dictionary(uniqueKeysWithValues: configuration.peers.map { ($0.key, UpstreamPool(service: $0.key, urls: $0.value)) })
    let edge = EdgePolicy(
        behindTLS: settings.behindTLS,
        allowedOrigins: settings.allowedOrigins,
        gzipMinimumSize: settings.gzipMinimumSize,
        gzipLevel: settings.gzipLevel
    )
    let authenticator = runtime.tokenAuthenticator()
    let proxy = Proxy(
        routes: .mayaGo,
        pools: pools,
        admission: Admission(
            tokens: authenticator,
            apiKeys: APIKeyAuthenticator(client: runtime.internalClient, logger: runtime.logger),
            limiter: RateLimiter(logger: runtime.logger),
            policy: settings.rateLimits,
            rules: .mayaGo
        ),
        clientAddress: ClientAddress(trustedProxies: settings.trustedProxies),
        clientSeal: ClientAddressSeal(secret: configuration.serviceSecret),
        edge: edge,
        configuration: settings.proxy,
        redis: runtime.redis.configuration,
        logger: runtime.logger
    )

    let router = runtime.makeRouter(edge: [EdgeMiddleware(policy: edge)], readiness: [authenticator.readiness], health: .statusOnly)
    let monitor = UpstreamMonitor(
        pools: Array(pools.values),
        http: .mayaGo,
        interval: settings.healthCheckInterval,
        timeout: settings.healthCheckTimeout,
        logger: runtime.logger
    )
    DocsRoutes(aggregator: OpenAPIAggregator(pools: Array(pools.values), http: .mayaGo, logger: runtime.logger)).addRoutes(to: router)
    WebAppRoutes(app: try WebApp.load(from: settings.webRoot), allowingStripeJS: settings.webAllowsStripeJS).addRoutes(to: router)
    let relay = WebSocketRelay(pool: pools[.messaging]!, authenticator: authenticator, logger: runtime.logger)
    let http1 = HTTP1WebSocketUpgradeChannel.Configuration(http1: .init(additionalChannelHandlers: [ProxyInstaller(proxy: proxy)]))
    let server: HTTPServerBuilder =
        if let tls = settings.tls {
            HTTPServerBuilder { responder in
                try TLSGatewayChannel(
                    tls: tls,
                    http1: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: http1) { request, _, _ in await relay.shouldUpgrade(request) },
                    http2: HTTP2Channel(
                        responder: responder, configuration: .init(streamConfiguration: .init(additionalChannelHandlers: [ProxyInstaller(proxy: proxy)])))
                )
            }
        } else {
            .http1WebSocketUpgrade(configuration: http1) { request, _, _ in await relay.shouldUpgrade(request) }
        }
    return runtime.makeApplication(
        router: router,
        server: server,
        services: [monitor, proxy, runtime.makeAdminApplication(host: settings.adminHost, port: settings.adminPort, readiness: [authenticator.readiness])]
    )
}
