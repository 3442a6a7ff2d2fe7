import CompressNIO
import HTTPTypes
import Metrics
import NIOCore
import Redis
import ServiceKit

/// What the proxied requests of one event loop share, used only on that loop, so without locks: idle upstream
/// connections, a Redis connection and the rate limit charges waiting to go to it, the tokens verified here, what
/// Redis last said of the buckets charged here (``RateLimitView``), gzip compressors to reuse (zlib's state is tens of
/// KiB, allocated and freed for each answer otherwise), and the request metrics by route family, method and status
/// (as Hummingbird's `MetricsMiddleware` names them, so that the gateway's own routes and proxied ones read alike).
final class LoopState {
    static let verifiedTokenLimit = 10_000
    static let rateLimitViewLimit = 10_000
    static let idleCompressorLimit = 64

    let connections: UpstreamConnectionPool
    let redis: LoopRedis
    let rateLimitCharges: RateLimitCharges
    private var verifiedTokens = BoundedCache<String, Admission.Caller>(limit: LoopState.verifiedTokenLimit)
    private var rateLimitViews = BoundedCache<String, RateLimitView>(limit: LoopState.rateLimitViewLimit)
    /// By window size (zlib's 9 to 15 bits), in an array: a dictionary's values changed through its subscript
    /// allocated on every request.
    private var idleCompressors = [[ZlibCompressor]](repeating: [], count: 16)
    private var metrics: [MetricKey: (requests: Counter, duration: Metrics.Timer)] = [:]

    private struct MetricKey: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    init(loop: any EventLoop, connectTimeout: Duration, redis: RedisClient.Configuration) {
        connections = UpstreamConnectionPool(loop: loop, connectTimeout: connectTimeout)
        let redis = LoopRedis(loop: loop, configuration: redis)
        self.redis = redis
        rateLimitCharges = RateLimitCharges(redis: redis)
    }

    func close() {
        redis.close()
        connections.closeIdle()
    }

    /// The caller a token was verified as on this loop, if it was.
    func verifiedCaller(for token: String) -> Admission.Caller? {
        verifiedTokens[token]
    }

    func remember(_ caller: Admission.Caller, for token: String) {
        verifiedTokens[token] = caller
    }

    /// A decision for one more request of `bucket` without waiting for Redis, if this loop's view allows it.
    func decisionAhead(for bucket: RateLimitBucket) -> RateLimitDecision? {
        rateLimitViews[bucket.key]?.ahead(of: bucket.limit, nowMs: LocalRateLimiter.monotonicMilliseconds())
    }

    /// A charge of `bucket` is on its way to Redis.
    func charging(_ bucket: RateLimitBucket) {
        var view = rateLimitViews[bucket.key] ?? RateLimitView()
        view.unanswered += 1
        rateLimitViews[bucket.key] = view
    }

    /// Redis' answer to a charge of `bucket`, or nil when Redis could not be asked. Answers come in the order the
    /// charges went, so the last one is the newest.
    func heard(_ decision: RateLimitDecision?, for bucket: RateLimitBucket) {
        guard var view = rateLimitViews[bucket.key] else { return }
        view.unanswered = max(0, view.unanswered - 1)
        view.heard = decision.map { ($0, LocalRateLimiter.monotonicMilliseconds()) }
        rateLimitViews[bucket.key] = view
    }

    /// A gzip compressor for `configuration`, reused if one is idle.
    func compressor(_ configuration: ZlibConfiguration) throws -> ZlibCompressor {
        try idleCompressors[Int(configuration.windowSize)].popLast() ?? .gzip(configuration)
    }

    /// Takes back a compressor made by ``compressor(_:)`` with the same configuration, reset for the next answer.
    func giveBack(_ compressor: ZlibCompressor, _ configuration: ZlibConfiguration) {
        let windowSize = Int(configuration.windowSize)
        guard idleCompressors[windowSize].count < Self.idleCompressorLimit, (try? compressor.reset()) != nil else { return }
        idleCompressors[windowSize].append(compressor)
    }

    func count(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status, duration: Duration) {
        let key = MetricKey(route: route, method: method, status: status.code)
        let metric =
            metrics[key]
            ?? {
                let dimensions = [("http.route", route), ("http.request.method", method.rawValue), ("http.response.status_code", String(status.code))]
                let made = (
                    Counter(label: "hb.requests", dimensions: dimensions),
                    Metrics.Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
                )
                metrics[key] = made
                return made
            }()
        metric.requests.increment()
        metric.duration.recordNanoseconds(duration.nanoseconds)
    }
}
