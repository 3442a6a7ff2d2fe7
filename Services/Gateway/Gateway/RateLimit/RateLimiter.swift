import Logging
import Metrics
import ServiceKit
import Synchronization

/// Rate limiting in Redis, falling back to this process's own limiter while Redis is unreachable: the switch is
/// logged once each way and shown by the gauge `mayago_gateway_ratelimit_fallback` (1 while falling back). While
/// falling back the deny-list cannot be read: tokens are accepted (they are signed and expire within minutes, and
/// the owning service checks the deny-list again).
final class RateLimiter: Sendable {
    private let local = LocalRateLimiter()
    private let logger: Logger
    private let fallingBack = Atomic(false)
    private let fallbackGauge = Gauge(label: "mayago.gateway.ratelimit.fallback")

    init(logger: Logger) {
        self.logger = logger
        fallbackGauge.record(0)
    }

    /// The decision for `buckets`, or `nil` (nothing charged) when the token `tokenID` is known to be revoked.
    func check(
        _ buckets: [RateLimitBucket], unlessRevoked tokenID: String?, on redis: LoopRedis,
        then decide: @escaping (RateLimitDecision?) -> Void
    ) {
        RedisRateLimiter.check(buckets, unlessRevoked: tokenID, on: redis) { [self] result in
            switch result {
            case .success(let decision):
                if fallingBack.load(ordering: .relaxed), fallingBack.exchange(false, ordering: .relaxed) {
                    logger.notice("Rate limiting is back in Redis")
                    fallbackGauge.record(0)
                }
                decide(decision)
            case .failure(let error):
                if !fallingBack.exchange(true, ordering: .relaxed) {
                    logger.error("Redis is unreachable: rate limiting falls back to this instance", metadata: ["error": "\(error)"])
                    fallbackGauge.record(1)
                }
                decide(local.check(buckets))
            }
        }
    }
}
