import Contracts
import Foundation
import HTTPTypes
import ServiceKit
import Testing

@testable import Gateway

@Suite struct GCRATests {
    let limit = RateLimit(count: 3, period: .seconds(3))  // one per second, bursts of three

    @Test func allowsABurstThenOneRequestPerInterval() {
        var tat: Double?
        var allowed: [Bool] = []
        var remaining: [Int] = []
        for _ in 0..<4 {
            let result = GCRA.check(tat: tat, now: 0, limit: limit)
            allowed.append(result.allowed)
            remaining.append(result.remaining)
            if result.allowed { tat = result.newTAT }
        }
        #expect(allowed == [true, true, true, false])
        #expect(remaining == [2, 1, 0, 0])
        let refused = GCRA.check(tat: tat, now: 0, limit: limit)
        #expect(refused.retryAfterMs == 1000)
        #expect(refused.resetMs == 3000)
        #expect(GCRA.check(tat: tat, now: 999, limit: limit).allowed == false)
        #expect(GCRA.check(tat: tat, now: 1000, limit: limit).allowed == true)
        // After a full period everything is available again.
        #expect(GCRA.check(tat: tat, now: 3000, limit: limit).remaining == 2)
    }

    /// The in-process fallback counts in whole milliseconds, as Redis' script does: with the clock's fraction, the
    /// subtraction in `now - allowAt` lost a bit, and about one request in 28 was told one fewer remained.
    @Test func theInProcessLimiterCountsInWholeMillisecondsAsRedisDoes() {
        let limiter = LocalRateLimiter(clock: { 114_057.338_501_086_68 })  // a time at which the fraction mattered
        let bucket = RateLimitBucket(key: "ip:192.0.2.1", limit: RateLimit(count: 2, period: .seconds(60)))
        #expect(limiter.check([bucket]).remaining == 1)
        #expect(limiter.check([bucket]).remaining == 0)
        #expect(limiter.check([bucket]).allowed == false)
    }

    @Test(arguments: [("100/15m", 100, 900), ("1000/1h", 1000, 3600), ("10/30s", 10, 30)])
    func limitsParse(text: String, count: Int, seconds: Int) throws {
        let limit = try #require(RateLimit(text))
        #expect(limit.count == count)
        #expect(limit.period == .seconds(seconds))
    }

    @Test(arguments: ["", "100", "0/1m", "10/0m", "ten/1m", "10/1d"])
    func badLimitsDoNotParse(text: String) {
        #expect(RateLimit(text) == nil)
    }

    @Test func defaultPolicyMatchesTheDesign() throws {
        let policy = try RateLimitPolicy(settings: .variables([:]))
        #expect(policy.anonymous == RateLimit(count: 100, period: .seconds(900)))
        #expect(policy.signedIn == RateLimit(count: 1000, period: .seconds(3600)))
        #expect(policy.sensitive == RateLimit(count: 10, period: .seconds(900)))
        let login = policy.buckets(path: "/api/v1/auth/login", client: "1.2.3.4", userID: nil, email: "a@b.c").map(\.key)
        #expect(login == ["ip:1.2.3.4", "sensitive-ip:/api/v1/auth/login:1.2.3.4", "sensitive-email:/api/v1/auth/login:a@b.c"])
        let browse = policy.buckets(path: "/api/v1/bookings", client: "1.2.3.4", userID: "6c1f0d2e-8b7a-4c3d-9e2f-1a2b3c4d5e6f", email: nil).map(\.key)
        #expect(browse == ["user:6c1f0d2e-8b7a-4c3d-9e2f-1a2b3c4d5e6f"])
    }
}

/// When a loop may let a request through on what Redis last said of its bucket, without waiting for Redis' answer.
@Suite struct RateLimitViewTests {
    let limit = RateLimit(count: 1000, period: .seconds(3600))  // 3.6 s an interval; a reserve of 100

    func view(remaining: Int, allowed: Bool = true, heardAtMs: Double = 0, unanswered: Int = 0) -> RateLimitView {
        let decision = RateLimitDecision(allowed: allowed, limit: 1000, remaining: remaining, resetSeconds: 4, retryAfterSeconds: allowed ? 0 : 4)
        return RateLimitView(heard: (decision, heardAtMs), unanswered: unanswered)
    }

    @Test func farFromTheLimitARequestGoesAheadCountingTheChargesNotYetAnswered() {
        let ahead = view(remaining: 500, unanswered: 3).ahead(of: limit, nowMs: 10)
        #expect(ahead == RateLimitDecision(allowed: true, limit: 1000, remaining: 496, resetSeconds: 4 + 15, retryAfterSeconds: 0))
    }

    @Test func theReserveIsLeftForOtherLoopsAndInstances() {
        #expect(RateLimitView.reserve(limit) == 100)
        #expect(RateLimitView.reserve(RateLimit(count: 3, period: .seconds(60))) == 10)
        #expect(view(remaining: 101).ahead(of: limit, nowMs: 0)?.remaining == 100)
        #expect(view(remaining: 100).ahead(of: limit, nowMs: 0) == nil)
        #expect(view(remaining: 150, unanswered: 50).ahead(of: limit, nowMs: 0) == nil)
        // A small limit is always asked: its whole budget is within the reserve.
        let small = RateLimit(count: 3, period: .seconds(60))
        let fresh = RateLimitDecision(allowed: true, limit: 3, remaining: 2, resetSeconds: 20, retryAfterSeconds: 0)
        #expect(RateLimitView(heard: (fresh, 0)).ahead(of: small, nowMs: 0) == nil)
    }

    @Test func anOldDecisionARefusalOrNoneMakesTheRequestWait() {
        #expect(view(remaining: 900, heardAtMs: 0).ahead(of: limit, nowMs: RateLimitView.freshnessMs) != nil)
        #expect(view(remaining: 900, heardAtMs: 0).ahead(of: limit, nowMs: RateLimitView.freshnessMs + 1) == nil)
        #expect(view(remaining: 900, allowed: false).ahead(of: limit, nowMs: 0) == nil)
        #expect(RateLimitView(unanswered: 2).ahead(of: limit, nowMs: 0) == nil)
    }
}

@Suite struct RoutingRuleTests {
    @Test(arguments: [
        ("/api/v1/bookings", "booking"), ("/api/v1/bookings/42/cancel", "booking"), ("/api/v1/auth/login", "auth"),
        ("/.well-known/jwks.json", "auth"), ("/api/v1/search/suggest", "search"), ("/api/v1/notifications", "notify"), ("/api/v1/dev/mailbox", "notify"),
        ("/api/v1/bookings/a.b/..c/%41", "booking"),
    ])
    func publicPathsGoToTheirOwner(path: String, owner: String) {
        #expect(RouteTable.mayaGo.service(for: path)?.rawValue == owner)
    }

    @Test(arguments: [
        "/api/v1/bookingsx", "/internal/v1/x", "/api/v1/bookings/../internal", "/api/v1/bookings/%2E%2E/x", "/api/v1/bookings/%2e",
        "/api/v1/bookings/x%2fy", "/api/v1/bookings/x%5Cy", "/api/v1/bookings\\..\\x", "/api/v1/bookings/.", "/api/v1/bookings/./x", "/", "api/v1/bookings",
    ])
    func otherPathsGoNowhere(path: String) {
        #expect(RouteTable.mayaGo.service(for: path) == nil)
    }

    @Test func accessRulesOpenOnlyWhatAnonymousClientsNeed() {
        let rules = AccessRules.mayaGo
        #expect(rules.isPublic(.get, "/api/v1/experiences"))
        #expect(rules.isPublic(.get, "/api/v1/experiences/42/availability"))
        #expect(rules.isPublic(.head, "/api/v1/experiences/42"))
        #expect(!rules.isPublic(.post, "/api/v1/experiences"))
        #expect(rules.isPublic(.post, "/api/v1/auth/login"))
        #expect(rules.isPublic(.get, "/api/v1/providers/8c1f/calendar.ics"))
        #expect(rules.isPublic(.get, "/api/v1/providers/8c1f"))
        #expect(!rules.isPublic(.get, "/api/v1/providers/me/calendar"))
        #expect(!rules.isPublic(.get, "/api/v1/auth/me"))
        #expect(!rules.isPublic(.get, "/api/v1/bookings"))
        #expect(rules.isPublic(.get, "/api/v1/recommendations/similar/42"))
        #expect(!rules.isPublic(.get, "/api/v1/recommendations"))
        #expect(rules.isPublic(.get, "/api/v1/dev/mailbox"))
        #expect(!rules.isPublic(.get, "/api/v1/notifications"))
    }

    /// Any method goes on to the service on a path that a rule names as one route (for its 405 and `Allow`), and a
    /// method no route serves anywhere under a public tree; a method routes do serve still needs a user where the
    /// rules say so, and nothing goes on anonymously elsewhere.
    @Test func anonymousRequestsReachOnlyPublicPaths() {
        let rules = AccessRules.mayaGo
        #expect(rules.admitsAnonymous(.post, "/api/v1/auth/login"))
        #expect(rules.admitsAnonymous(.put, "/api/v1/auth/register"))
        #expect(rules.admitsAnonymous(.delete, "/api/v1/auth/oauth/exchange"))
        #expect(rules.admitsAnonymous(.trace, "/api/v1/experiences/42"))
        #expect(rules.admitsAnonymous(HTTPRequest.Method("QUERY")!, "/api/v1/search"))
        #expect(!rules.admitsAnonymous(.post, "/api/v1/experiences"))
        #expect(!rules.admitsAnonymous(.patch, "/api/v1/experiences/42"))
        #expect(!rules.admitsAnonymous(.trace, "/api/v1/bookings"))
        #expect(!rules.admitsAnonymous(.put, "/api/v1/auth/me"))
        #expect(rules.isPublic(.get, "/api/v1/auth/oauth/google/start"))
        #expect(!rules.isPublic(.get, "/api/v1/auth/oauth/google/start/more"))
    }

    @Test func forwardedForCountsOnlyBehindTrustedProxies() {
        let resolver = ClientAddress(trustedProxies: [IPRange("10.0.0.0/8")!, IPRange("::1")!])
        #expect(resolver.resolve(peer: "203.0.113.9", forwardedFor: "1.1.1.1") == "203.0.113.9")
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: "1.1.1.1, 198.51.100.7") == "198.51.100.7")
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: "1.1.1.1, 198.51.100.7, 10.9.9.9") == "198.51.100.7")
        #expect(resolver.resolve(peer: "::1", forwardedFor: "2001:db8::1") == "2001:db8::1")
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: "not-an-ip") == "10.1.2.3")
        #expect(IPRange("192.168.0.0/16")!.contains("192.168.200.1"))
        #expect(!IPRange("192.168.0.0/16")!.contains("192.169.0.1"))
        #expect(IPRange("300.1.1.1") == nil)
    }
}

@Suite struct CanonicalPathTests {
    @Test(arguments: [
        ("/api/v1/auth/login", "/api/v1/auth/login"), ("/api/v1/auth/login/", "/api/v1/auth/login"), ("//api/v1/auth/login", "/api/v1/auth/login"),
        ("/api//v1/auth/login", "/api/v1/auth/login"), ("/api/v1/auth//login//", "/api/v1/auth/login"), ("/", "/"), ("//", "/"),
        ("/api/v1/auth/password-reset/request///", "/api/v1/auth/password-reset/request"),
    ])
    func everySpellingHasOneCanonicalPath(given: String, canonical: String) {
        #expect(RouteTable.canonical(given) == canonical)
    }
}
