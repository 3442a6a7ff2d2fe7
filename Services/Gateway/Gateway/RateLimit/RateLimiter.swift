import Logging
import Metrics
import ServiceKit
import Synchronization

/// Rate limiting in Redis, falling back to this process's own limiter while Redis is unreachable: the switch is
/// logged once each way and shown by the gauge `mayago_gateway_ratelimit_fallback` (1 while falling back). While
/// falling back the deny-list cannot be read: tokens are accepted (they are signed and expire within minutes, and
/// the owning service checks the deny-list again). `mayago_gateway_ratelimit_ahead` counts the requests let through
/// on a loop's view without waiting for Redis, `mayago_gateway_ratelimit_ahead_refused` those of them whose charge
/// Redis then refused: what the limit let through beyond its count.
final class RateLimiter: Sendable {
    private let inProcess = LocalRateLimiter()
    private let logger: Logger
    private let fallingBack = Atomic(false)
    private let fallbackGauge = Gauge(label: "mayago.gateway.ratelimit.fallback")
    private let aheadCounter = Counter(label: "mayago.gateway.ratelimit.ahead")
    private let aheadRefusedCounter = Counter(label: "mayago.gateway.ratelimit.ahead_refused")

    init(logger: Logger) {
        self.logger = logger
        fallbackGauge.record(0)
    }

    /// The decision for `buckets`, or `nil` (nothing charged) when the token `tokenID` is known to be revoked. A request
    /// with no token to look up and one bucket is decided at once while `local`'s view of the bucket allows it
    /// (``RateLimitView``); its charge still goes to Redis, whose answer updates the view.
    func check(
        _ buckets: [RateLimitBucket], unlessRevoked tokenID: String?, on local: LoopState,
        then decide: @escaping (RateLimitDecision?) -> Void
    ) {
        let viewed = tokenID == nil && buckets.count == 1 && !fallingBack.load(ordering: .relaxed) ? buckets[0] : nil
        let ahead = viewed.flatMap { local.decisionAhead(for: $0) }
        if let viewed { local.charging(viewed) }
        local.rateLimitCharges.charge(buckets, unlessRevoked: tokenID) { [self] result in
            let decision: RateLimitDecision?
            switch result {
            case .success(let answer):
                if fallingBack.load(ordering: .relaxed), fallingBack.exchange(false, ordering: .relaxed) {
                    logger.notice("Rate limiting is back in Redis")
                    fallbackGauge.record(0)
                }
                decision = answer
                if let viewed { local.heard(answer, for: viewed) }
            case .failure(let error):
                if !fallingBack.exchange(true, ordering: .relaxed) {
                    logger.error("Redis is unreachable: rate limiting falls back to this instance", metadata: ["error": "\(error)"])
                    fallbackGauge.record(1)
                }
                decision = inProcess.check(buckets)
                if let viewed { local.heard(nil, for: viewed) }
            }
            if ahead == nil { return decide(decision) }
            if decision?.allowed == false { aheadRefusedCounter.increment() }
        }
        if let ahead {
            aheadCounter.increment()
            decide(ahead)
        }
    }
}
