import NIOConcurrencyHelpers
import ServiceKit

/// GCRA in this process, for when Redis is unreachable: each instance then limits on its own, which is looser
/// across instances but never stops the gateway from serving.
final class LocalRateLimiter: Sendable {
    private let buckets = NIOLockedValueBox<[String: Double]>([:])
    private let clock: @Sendable () -> Double

    /// - Parameter clock: the current time in milliseconds.
    init(clock: @escaping @Sendable () -> Double = LocalRateLimiter.monotonicMilliseconds) {
        self.clock = clock
    }

    private static let start = ContinuousClock.now

    static func monotonicMilliseconds() -> Double {
        (ContinuousClock.now - start).milliseconds
    }

    func check(_ requested: [RateLimitBucket]) -> RateLimitDecision {
        // Whole milliseconds, as Redis' TIME gives the script: with a fraction, `now - allowAt` could lose a bit in the
        // subtraction and tell about one request in 28 that one fewer remained.
        let now = clock().rounded(.down)
        return buckets.withLockedValue { stored in
            let results = requested.map { bucket in (bucket, GCRA.check(tat: stored[bucket.key], now: now, limit: bucket.limit)) }
            let allowed = results.allSatisfy(\.1.allowed)
            if allowed {
                for (bucket, result) in results { stored[bucket.key] = result.newTAT }
            }
            // Forget buckets that are full again, so the table does not grow without bound.
            if stored.count > 100_000 { stored = stored.filter { $0.value > now } }
            let binding = results.min { ($0.1.remaining, -$0.1.retryAfterMs) < ($1.1.remaining, -$1.1.retryAfterMs) }!
            return RateLimitDecision(
                allowed: allowed,
                limit: binding.0.limit.count,
                remaining: binding.1.remaining,
                resetSeconds: Int((binding.1.resetMs / 1000).rounded(.up)),
                retryAfterSeconds: Int((binding.1.retryAfterMs / 1000).rounded(.up))
            )
        }
    }
}
