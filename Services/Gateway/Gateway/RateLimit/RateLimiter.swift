import Logging
import Metrics
import NIOConcurrencyHelpers
import ServiceKit

/// Rate limiting in Redis, falling back to this process's own limiter while Redis is unreachable: the switch is
/// logged once each way and shown by the gauge `mayago_gateway_ratelimit_fallback` (1 while falling back).
final class RateLimiter: Sendable {
    private let redis: RedisRateLimiter
    private let local = LocalRateLimiter()
    private let logger: Logger
    private let fallingBack = NIOLockedValueBox(false)
    private let fallbackGauge = Gauge(label: "mayago.gateway.ratelimit.fallback")

    init(redis: RedisClient, logger: Logger) {
        self.redis = RedisRateLimiter(redis: redis)
        self.logger = logger
        fallbackGauge.record(0)
    }

    func check(_ buckets: [RateLimitBucket]) async -> RateLimitDecision {
        do {
            let decision = try await redis.check(buckets)
            if fallingBack.withLockedValue({ was in defer { was = false }; return was }) {
                logger.notice("Rate limiting is back in Redis")
                fallbackGauge.record(0)
            }
            return decision
        } catch {
            if !fallingBack.withLockedValue({ was in defer { was = true }; return was }) {
                logger.error("Redis is unreachable: rate limiting falls back to this instance", metadata: ["error": "\(error)"])
                fallbackGauge.record(1)
            }
            return local.check(buckets)
        }
    }
}
