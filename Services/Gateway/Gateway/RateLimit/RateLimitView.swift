/// What one event loop knows of a bucket: Redis' last decision for it, when that came, and how many charges the loop
/// has sent since that Redis has not answered yet. Far from its limit, a request that has nothing to look up on the
/// deny-list is let through on this view at once and its charge answered later, so that it does not wait a round trip
/// to Redis (at one connection, about half of what the gateway adds: `bench/gateway` measures both ways). Near the
/// limit, and for the sensitive routes' several buckets, every request waits for Redis' decision.
struct RateLimitView {
    /// Redis' last decision and when it came (monotonic milliseconds); nil until the first.
    var heard: (decision: RateLimitDecision, atMs: Double)?
    var unanswered = 0

    /// How old a decision may be to be relied on: other instances charge the bucket meanwhile.
    static let freshnessMs = 1_000.0

    /// What is left unused for the other loops and instances that may charge the bucket between two of this loop's
    /// answers: a tenth of the limit, and never fewer than 10 requests, so that small limits are always asked.
    static func reserve(_ limit: RateLimit) -> Int {
        max(10, limit.count / 10)
    }

    /// The decision for one more request of `limit`'s bucket at `nowMs` without asking Redis first, or nil when it
    /// must wait for Redis' own.
    func ahead(of limit: RateLimit, nowMs: Double) -> RateLimitDecision? {
        guard let (decision, atMs) = heard, decision.allowed, nowMs - atMs <= Self.freshnessMs else { return nil }
        let remaining = decision.remaining - unanswered - 1
        guard remaining >= Self.reserve(limit) else { return nil }
        let charged = Double(unanswered + 1) * limit.emissionIntervalMs
        return RateLimitDecision(
            allowed: true, limit: decision.limit, remaining: remaining,
            resetSeconds: decision.resetSeconds + Int((charged / 1000).rounded(.up)), retryAfterSeconds: 0
        )
    }
}
