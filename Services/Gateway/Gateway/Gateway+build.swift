import AsyncHTTPClient
import Hummingbird
import ServiceKit

/// Builds the gateway: the only public door, forwarding each public path to the service that owns it.
public func buildApplication(configuration: ServiceConfiguration) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(configuration: configuration, database: nil, usesRedis: true)
    let timeout = try configuration.settings.milliseconds("upstream.timeout.ms", default: .seconds(30))
    let proxy = ReverseProxy(http: HTTPClient.mayaGo, upstreams: configuration.peers, timeout: timeout)
    let router = runtime.makeRouter()
    router.add(middleware: ProxyMiddleware(routes: .mayaGo, proxy: proxy))
    return runtime.makeApplication(router: router)
}
