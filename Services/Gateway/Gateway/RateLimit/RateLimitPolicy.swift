import Foundation
import ServiceKit

/// Which buckets a request draws from: a signed-in user's own budget or, anonymously, the client address's;
/// and on the routes that guess passwords or send mail, a tighter budget per address and per email.
struct RateLimitPolicy: Sendable {
    var anonymous = RateLimit(count: 100, period: .seconds(15 * 60))
    var signedIn = RateLimit(count: 1000, period: .seconds(3600))
    var sensitive = RateLimit(count: 10, period: .seconds(15 * 60))

    static let sensitivePaths: Set<String> = [
        "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/password-reset/request", "/api/v1/auth/password-reset",
    ]

    /// `RATE_LIMIT_ANONYMOUS`, `RATE_LIMIT_USER`, `RATE_LIMIT_SENSITIVE` as `count/period` (`100/15m`).
    init(settings: Settings) throws {
        anonymous = try Self.limit(settings, "rate.limit.anonymous", default: anonymous)
        signedIn = try Self.limit(settings, "rate.limit.user", default: signedIn)
        sensitive = try Self.limit(settings, "rate.limit.sensitive", default: sensitive)
    }

    private static func limit(_ settings: Settings, _ key: String, default defaultValue: RateLimit) throws -> RateLimit {
        guard let raw = settings.optionalString(key) else { return defaultValue }
        guard let limit = RateLimit(raw) else {
            throw ConfigurationError(variable: Settings.variable(for: key), expected: "count/period such as 100/15m", value: raw)
        }
        return limit
    }

    static func isSensitive(_ path: String) -> Bool {
        sensitivePaths.contains(path)
    }

    /// `userID` is a signed-in caller's id, in lower case.
    func buckets(path: String, client: String, userID: String?, email: String?) -> [RateLimitBucket] {
        var buckets = [
            userID.map { RateLimitBucket(key: "user:\($0)", limit: signedIn) }
                ?? RateLimitBucket(key: "ip:\(client)", limit: anonymous)
        ]
        if Self.isSensitive(path) {
            buckets.append(RateLimitBucket(key: "sensitive-ip:\(path):\(client)", limit: sensitive))
            if let email {
                buckets.append(RateLimitBucket(key: "sensitive-email:\(path):\(email)", limit: sensitive))
            }
        }
        return buckets
    }
}
