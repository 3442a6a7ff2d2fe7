import HTTPTypes
import Metrics
import NIOCore
import ServiceKit

/// What the proxied requests of one event loop share, used only on that loop, so without locks: idle upstream
/// connections, a Redis connection, the tokens verified here, and the request metrics by route family, method
/// and status (as Hummingbird's `MetricsMiddleware` names them, so that the gateway's own routes and proxied ones
/// read alike).
final class LoopState {
    static let verifiedTokenLimit = 10_000

    let connections: UpstreamConnectionPool
    let redis: LoopRedis
    private(set) var verifiedTokens: [String: Admission.Caller] = [:]
    private var metrics: [String: (requests: Counter, duration: Metrics.Timer)] = [:]

    init(loop: any EventLoop, connectTimeout: Duration, redis: RedisClient.Configuration) {
        connections = UpstreamConnectionPool(loop: loop, connectTimeout: connectTimeout)
        self.redis = LoopRedis(loop: loop, configuration: redis)
    }

    func remember(_ caller: Admission.Caller, for token: String) {
        if verifiedTokens.count >= Self.verifiedTokenLimit { verifiedTokens.removeAll(keepingCapacity: true) }
        verifiedTokens[token] = caller
    }

    func count(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status, duration: Duration) {
        let key = "\(route) \(method.rawValue) \(status.code)"
        let metric = metrics[key] ?? {
            let dimensions = [("http.route", route), ("http.request.method", method.rawValue), ("http.response.status_code", String(status.code))]
            let made = (Counter(label: "hb.requests", dimensions: dimensions), Metrics.Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds))
            metrics[key] = made
            return made
        }()
        metric.requests.increment()
        metric.duration.recordNanoseconds(duration.nanoseconds)
    }
}
