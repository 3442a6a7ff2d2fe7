import Foundation
import ServiceKit

/// A limit of `count` requests per `period`, enforced as a generic cell rate (GCRA): requests may come in a
/// burst of `count`, then one every `period / count`.
struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    let count: Int
    let period: Duration

    /// Milliseconds between two requests at the sustained rate.
    var emissionIntervalMs: Double { period.milliseconds / Double(count) }

    /// Parses `100/15m`, `1000/1h`, `10/900s`.
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let unit = parts[1].last,
            let amount = Int(parts[1].dropLast()), amount > 0
        else { return nil }
        switch unit {
        case "s": period = .seconds(amount)
        case "m": period = .seconds(amount * 60)
        case "h": period = .seconds(amount * 3600)
        default: return nil
        }
        self.count = count
    }

    init(count: Int, period: Duration) {
        self.count = count
        self.period = period
    }

    var description: String { "\(count)/\(Int(period.milliseconds / 1000))s" }
}

/// One bucket a request draws from: the limit and whose budget it is (`ip:203.0.113.7`, `user:…`).
struct RateLimitBucket: Sendable, Hashable {
    let key: String
    let limit: RateLimit
}

/// The answer for a request: whether it may pass, and what the `RateLimit-*` headers say (for the bucket
/// closest to its limit).
struct RateLimitDecision: Sendable, Equatable {
    let allowed: Bool
    let limit: Int
    let remaining: Int
    /// Seconds until the bucket is full again.
    let resetSeconds: Int
    /// Seconds until a refused request would pass.
    let retryAfterSeconds: Int
}

/// The GCRA state of one bucket: its theoretical arrival time. The Lua script in ``RedisRateLimiter`` does the
/// same arithmetic inside Redis; this one serves the in-process fallback.
struct GCRA {
    /// Checks one request against `limit` at `now` (ms) given the stored `tat` (ms); returns the new `tat` to
    /// store when allowed, and the numbers for the headers.
    static func check(
        tat stored: Double?, now: Double, limit: RateLimit
    ) -> (allowed: Bool, newTAT: Double, remaining: Int, resetMs: Double, retryAfterMs: Double) {
        let interval = limit.emissionIntervalMs
        let burst = Double(limit.count) * interval
        let tat = max(stored ?? now, now)
        let newTAT = tat + interval
        let allowAt = newTAT - burst
        if now < allowAt {
            return (false, tat, 0, tat - now, allowAt - now)
        }
        let remaining = Int(((now - allowAt) / interval).rounded(.down))
        return (true, newTAT, min(remaining, limit.count - 1), newTAT - now, 0)
    }
}
