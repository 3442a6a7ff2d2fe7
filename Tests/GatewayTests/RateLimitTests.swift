import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Redis
import ServiceKit
import TestSupport
import Testing

@testable import Gateway

@Suite struct RateLimitTests {
    func get(_ client: any TestClientProtocol, from address: String) async throws -> (HTTPResponse.Status, HTTPFields) {
        try await client.execute(uri: "/api/v1/experiences", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: address]) {
            ($0.status, $0.headers)
        }
    }

    @Test func twoInstancesShareOneLimitAndRefuseWithRetryAfter() async throws {
        let address = "2001:db8::\(String(Int.random(in: 1...0xFFFF), radix: 16)):2"
        try await GatewayHarness.withLiveGateways(["RATE_LIMIT_ANONYMOUS": "3/1m"]) { first, second in
            let (status1, headers1) = try await get(first, from: address)
            #expect(status1 == .accepted)
            #expect(headers1[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(headers1[HTTPField.Name("RateLimit-Remaining")!] == "2")
            #expect(Int(headers1[HTTPField.Name("RateLimit-Reset")!] ?? "") ?? 0 > 0)
            #expect(try await get(second, from: address).0 == .accepted)
            let (_, headers3) = try await get(first, from: address)
            #expect(headers3[HTTPField.Name("RateLimit-Remaining")!] == "0")
            let (refused, refusedHeaders) = try await get(second, from: address)
            #expect(refused == .tooManyRequests)
            #expect(Int(refusedHeaders[.retryAfter] ?? "") ?? 0 >= 1)
            // Another client is not affected.
            #expect(try await get(second, from: "2001:db8::\(String(Int.random(in: 1...0xFFFF), radix: 16)):3").0 == .accepted)
        }
    }

    @Test func untrustedForwardedForIsIgnored() async throws {
        // A Redis database of its own: 127.0.0.1's bucket, charged here at 2 a minute, would otherwise refuse the
        // loopback requests of the tests that run beside this one.
        let url = TestEnvironment.redisURL + "/7"
        let redis = try TestEnvironment.redis(url)
        try await GatewayHarness.withLiveGateways(["RATE_LIMIT_ANONYMOUS": "2/1m", "TRUSTED_PROXIES": "10.0.0.0/8", "REDIS_URL": url]) { client, _ in
            // Loopback is not a trusted proxy here, so every request counts for 127.0.0.1, whatever it claims.
            try await redis.send("DEL", "ratelimit:ip:127.0.0.1")
            var statuses: [HTTPResponse.Status] = []
            for index in 1...3 {
                statuses.append(try await get(client, from: "192.0.2.\(index)").0)
            }
            #expect(statuses.last == .tooManyRequests)
        }
    }

    @Test func sensitiveRoutesAreLimitedPerAddressAndPerEmail() async throws {
        let email = "guess-\(UUID().uuidString.prefix(8))@example.com"
        try await GatewayHarness.withLiveGateways(["RATE_LIMIT_SENSITIVE": "2/1m"]) { gateway, _ in
            // One account from three addresses.
            var statuses: [HTTPResponse.Status] = []
            for spelling in [email.uppercased(), email, email] {
                statuses.append(try await login(gateway, spelling, from: "2001:db8::\(String(Int.random(in: 1...0xFFFF), radix: 16))"))
            }
            #expect(statuses == [.created, .created, .tooManyRequests])
            // Three accounts from one address.
            let address = "2001:db8::\(String(Int.random(in: 1...0xFFFF), radix: 16)):1"
            statuses = []
            for account in ["a", "b", "c"] {
                statuses.append(try await login(gateway, "\(account)-\(UUID())@example.com", from: address))
            }
            #expect(statuses == [.created, .created, .tooManyRequests])
        }
    }

    /// Slashes added or doubled spell the same route: each spelling draws from the canonical path's sensitive
    /// bucket, and the instance is asked for the canonical path.
    @Test(arguments: RateLimitPolicy.sensitivePaths.sorted())
    func everySpellingOfASensitiveRouteSharesItsLimit(path: String) async throws {
        let spellings = [
            path + "/", "/" + path, path.replacingOccurrences(of: "/v1/", with: "//v1/"), path.replacingOccurrences(of: "/auth/", with: "/auth//") + "//",
        ]
        try await GatewayHarness.withLiveGateways(["RATE_LIMIT_SENSITIVE": "2/1m"]) { gateway, _ in
            for spelling in spellings {
                let address = "2001:db8::\(String(Int.random(in: 1...0xFFFF), radix: 16)):5"
                var statuses: [HTTPResponse.Status] = []
                for uri in [path, spelling, spelling] {
                    statuses.append(
                        try await gateway.execute(
                            uri: uri, method: .post,
                            headers: [HTTPField.Name("X-Forwarded-For")!: address, .contentType: "application/json"],
                            body: ByteBuffer(string: #"{"email": "someone-\#(UUID())@example.com"}"#)
                        ) { $0.status })
                }
                #expect(statuses == [.created, .created, .tooManyRequests], "\(spelling)")
            }
            let echo = try await gateway.execute(uri: "//api/v1/experiences//?page=2", method: .get, headers: [:]) { try $0.decode(Echo.self) }
            #expect(echo.path == "/api/v1/experiences")
            #expect(echo.query == "page=2")
        }
    }

    /// A login attempt; the stand-in echoes the body, which must arrive unchanged.
    func login(_ gateway: any TestClientProtocol, _ email: String, from address: String) async throws -> HTTPResponse.Status {
        let body = #"{"email": "\#(email)", "password": "wrong password"}"#
        return try await gateway.execute(
            uri: "/api/v1/auth/login",
            method: .post,
            headers: [HTTPField.Name("X-Forwarded-For")!: address, .contentType: "application/json"],
            body: ByteBuffer(string: body)
        ) { response in
            if response.status == .created { #expect(response.text == body) }
            return response.status
        }
    }

    /// Far from its limit, an anonymous request is let through on what Redis last said of its bucket: it is answered
    /// while Redis is paused, and its charge lands when Redis answers again. Near the limit every request waits (the
    /// exact refusals of the tests above).
    @Test func farFromTheLimitAnAnonymousRequestDoesNotWaitForRedisYetIsCharged() async throws {
        let redisServer = try PrivateRedis()
        let redis = RedisClient(configuration: .init(endpoint: RedisEndpoint(host: "127.0.0.1", port: redisServer.port)), logger: Logger(label: "test"))
        #expect(await eventually { (try? await redis.send("PING")) != nil })
        try await GatewayHarness.withLiveGateways(["RATE_LIMIT_ANONYMOUS": "1000/1h", "REDIS_URL": redisServer.url]) { gateway, _ in
            // The first waits for Redis, whose decision the connection's loop keeps.
            #expect(try await get(gateway, from: "192.0.2.20").1[HTTPField.Name("RateLimit-Remaining")!] == "999")
            // Paused for less than the gateway's command timeout (2 s), after which it would give the charge up.
            _ = try await redis.send("CLIENT", "PAUSE", "1800", "ALL")
            let started = ContinuousClock.now
            let (status, headers) = try await get(gateway, from: "192.0.2.20")
            #expect(status == .accepted)
            #expect(ContinuousClock.now - started < .milliseconds(1300))
            #expect(headers[HTTPField.Name("RateLimit-Remaining")!] == "998")
            // Both charges are in Redis once it answers: the bucket's clock is two intervals (3.6 s each) ahead
            // of the first, more than one would leave once the pause is over.
            #expect(await eventually(timeout: .seconds(10)) { ((try? await redis.send("PTTL", "ratelimit:ip:192.0.2.20").int) ?? 0) > 3_000 })
            // Another address has no view yet: it waits for Redis, as the first did.
            #expect(try await get(gateway, from: "192.0.2.21").1[HTTPField.Name("RateLimit-Remaining")!] == "999")
        }
        await redisServer.stop()
    }

    /// What going ahead can let through beyond the limit is bounded: when others have spent the bucket meanwhile, the
    /// request on the loop's view passes, Redis refuses its charge (counted for the operators), and the next request
    /// waits for Redis and is refused.
    @Test func aRequestLetThroughAheadOfASpentBucketIsCountedAndTheNextIsRefused() async throws {
        let admin = try TestEnvironment.freePort()
        let address = "2001:db8::\(String(Int.random(in: 1...0xFFFF), radix: 16)):6"
        let overrides = ["RATE_LIMIT_ANONYMOUS": "1000/1h", "TRUSTED_PROXIES": "127.0.0.1", "ADMIN_PORT": "\(admin)"]
        try await GatewayHarness.withGateway(overrides) { gateway in
            #expect(try await get(gateway, from: address).0 == .accepted)
            // Other instances overspend the bucket: its clock two hours ahead of Redis' own, refusing for an hour.
            let time = try #require(try await GatewayHarness.redis.send("TIME").array)
            let nowMs = (Int(time[0].string ?? "") ?? 0) * 1000 + (Int(time[1].string ?? "") ?? 0) / 1000
            try await GatewayHarness.redis.send("SET", RedisArgument("ratelimit:ip:\(address)"), RedisArgument(String(nowMs + 7_200_000)), "PX", "7300000")
            #expect(try await get(gateway, from: address).0 == .accepted)
            let counted = try await eventually {
                let (metrics, _) = try await GatewayHarness.get("http://127.0.0.1:\(admin)/metrics")
                return metrics.split(separator: "\n").contains { $0.hasPrefix("mayago_gateway_ratelimit_ahead_refused") && !$0.hasSuffix(" 0") }
            }
            #expect(counted)
            let (refused, headers) = try await get(gateway, from: address)
            #expect(refused == .tooManyRequests)
            #expect(Int(headers[.retryAfter] ?? "") ?? 0 > 3_000)
        }
    }

    /// The charges made in one turn of a loop go to Redis as one script call per token and buckets, and are decided
    /// one after the other, as if each had come alone: nothing is charged for a refused request.
    @Test func theChargesOfOneLoopTurnAreOneCallInRedisDecidedInTurn() async throws {
        let redisServer = try PrivateRedis()
        let configuration = RedisClient.Configuration(endpoint: RedisEndpoint(host: "127.0.0.1", port: redisServer.port))
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "test"))
        #expect(await eventually { (try? await redis.send("PING")) != nil })
        let three = RateLimitBucket(key: "user:three", limit: RateLimit(count: 3, period: .seconds(60)))
        let two = RateLimitBucket(key: "ip:two", limit: RateLimit(count: 2, period: .seconds(60)))
        let five = RateLimitBucket(key: "email:five", limit: RateLimit(count: 5, period: .seconds(60)))
        /// Charges each request's buckets in one turn of a loop.
        func charge(_ requests: [[RateLimitBucket]]) async throws -> [RateLimitDecision?] {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            return try await loop.flatSubmit {
                let loopRedis = LoopRedis(loop: loop, configuration: configuration)
                let charges = RateLimitCharges(redis: loopRedis)
                let decisions = requests.map { buckets in
                    let promise = loop.makePromise(of: RateLimitDecision?.self)
                    charges.charge(buckets, unlessRevoked: nil) { promise.completeWith($0) }
                    return promise.futureResult
                }
                let all = EventLoopFuture.whenAllSucceed(decisions, on: loop)
                all.assumeIsolated().whenComplete { _ in loopRedis.close() }
                return all
            }.get()
        }
        _ = try await charge([[RateLimitBucket(key: "ip:warm", limit: RateLimit(count: 1, period: .seconds(1)))]])
        _ = try await redis.send("CONFIG", "RESETSTAT")

        let decisions = try await charge(Array(repeating: [three], count: 4) + Array(repeating: [two, five], count: 3))

        #expect(decisions.map { $0?.allowed } == [true, true, true, false, true, true, false])
        #expect(decisions.map { $0?.remaining } == [2, 1, 0, 0, 1, 0, 0])
        #expect(decisions.map { $0?.limit } == [3, 3, 3, 3, 2, 2, 2])
        #expect(decisions[3]?.retryAfterSeconds == 20)
        #expect(decisions[6]?.retryAfterSeconds == 30)
        let stats = try await redis.send("INFO", "commandstats").string ?? ""
        #expect(stats.contains("cmdstat_evalsha:calls=2,"))
        // What each bucket holds is what the allowed requests charged: three of `three`, two of `two` and of `five`.
        #expect((55_000...60_000).contains(try await redis.send("PTTL", "ratelimit:user:three").int ?? 0))
        #expect((55_000...60_000).contains(try await redis.send("PTTL", "ratelimit:ip:two").int ?? 0))
        #expect((20_000...24_000).contains(try await redis.send("PTTL", "ratelimit:email:five").int ?? 0))
        await redisServer.stop()
    }

    @Test func fallsBackToThisInstanceWhileRedisIsDownAndReturnsAfter() async throws {
        let redisServer = try PrivateRedis()
        let redis = RedisClient(configuration: .init(endpoint: RedisEndpoint(host: "127.0.0.1", port: redisServer.port)), logger: Logger(label: "test"))
        #expect(await eventually { (try? await redis.send("PING")) != nil })
        try await GatewayHarness.withLiveGateways(["RATE_LIMIT_ANONYMOUS": "2/1m", "REDIS_URL": redisServer.url]) { gateway, _ in
            #expect(try await get(gateway, from: "192.0.2.10").0 == .accepted)
            #expect(try await redis.send("EXISTS", "ratelimit:ip:192.0.2.10").int == 1)

            await redisServer.stop()
            // Still serving, still limiting, now in this process.
            let (status, headers) = try await get(gateway, from: "192.0.2.11")
            #expect(status == .accepted)
            #expect(headers[HTTPField.Name("RateLimit-Remaining")!] == "1")
            #expect(try await get(gateway, from: "192.0.2.11").0 == .accepted)
            #expect(try await get(gateway, from: "192.0.2.11").0 == .tooManyRequests)

            try redisServer.start()
            let back = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                _ = try await get(gateway, from: "192.0.2.12")
                return (try? await redis.send("EXISTS", "ratelimit:ip:192.0.2.12").int) == 1
            }
            #expect(back)
        }
        await redisServer.stop()
    }
}
