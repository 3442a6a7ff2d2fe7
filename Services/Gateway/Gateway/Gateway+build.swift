import Contracts
import Hummingbird
import HummingbirdWebSocket
import ServiceKit

/// Builds the gateway, the only public door. In order: request id, access log, security headers, CORS, gzip,
/// problem details, metrics, token verification, rate limiting, access rules, then the proxy to an instance of
/// the owning service.
public func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
    let settings = try GatewaySettings(configuration.settings)
    let runtime = try await ServiceRuntime(configuration: configuration, database: nil, usesRedis: true)
    let redis = runtime.redis!
    let pools = Dictionary(uniqueKeysWithValues: configuration.peers.map { ($0.key, UpstreamPool(service: $0.key, urls: $0.value)) })

    let router = runtime.makeRouter(edge: [
        SecurityHeadersMiddleware(behindTLS: settings.behindTLS),
        CORSMiddleware(allowedOrigins: settings.allowedOrigins),
        CompressionMiddleware(minimumSize: settings.gzipMinimumSize, level: settings.gzipLevel),
    ])
    let authenticator = runtime.tokenAuthenticator()
    router.add(middleware: IdentityMiddleware(
        tokens: authenticator,
        apiKeys: APIKeyAuthenticator(client: runtime.internalClient, logger: runtime.logger)
    ))
    router.add(middleware: RateLimitMiddleware(
        limiter: RateLimiter(redis: redis, logger: runtime.logger),
        policy: settings.rateLimits,
        clientAddress: ClientAddress(trustedProxies: settings.trustedProxies)
    ))
    router.add(middleware: AccessMiddleware(routes: .mayaGo, rules: .mayaGo))
    router.add(middleware: ProxyMiddleware(
        routes: .mayaGo,
        proxy: ReverseProxy(http: .mayaGo, pools: pools, configuration: settings.proxy)
    ))
    let monitor = UpstreamMonitor(
        pools: Array(pools.values),
        http: .mayaGo,
        interval: settings.healthCheckInterval,
        timeout: settings.healthCheckTimeout,
        logger: runtime.logger
    )
    DocsRoutes(aggregator: OpenAPIAggregator(pools: Array(pools.values), http: .mayaGo, logger: runtime.logger)).addRoutes(to: router)
    let relay = WebSocketRelay(pool: pools[.messaging]!, authenticator: authenticator, logger: runtime.logger)
    return runtime.makeApplication(
        router: router,
        server: .http1WebSocketUpgrade { request, _, _ in await relay.shouldUpgrade(request) },
        services: [monitor]
    )
}
