import Redis
import TestSupport
import Testing

@testable import ServiceKit

/// `/ready`'s Redis check: an evicting Redis could drop deny-list entries, so it is not ready.
@Suite struct RedisReadinessTests {
    @Test func redisThatMayEvictIsNotReadyAndOneThatMayNotIs() async throws {
        let server = try PrivateRedis()
        let redis = try TestEnvironment.redis(server.url)
        #expect(await eventually { (try? await redis.send("PING")) == .status("PONG") })
        try await redis.readinessCheck.check()

        for policy in ["volatile-ttl", "allkeys-lru"] {
            try await redis.send("CONFIG", "SET", "maxmemory-policy", RedisArgument(policy))
            let error = await #expect(throws: EvictingRedis.self) { try await redis.readinessCheck.check() }
            #expect(error?.description.contains(policy) == true)
        }
        try await redis.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
        try await redis.readinessCheck.check()
        await server.stop()
    }

    @Test func redisThatHidesItsConfigurationIsTakenAtItsWord() async throws {
        let server = try PrivateRedis(options: ["--rename-command", "CONFIG", ""])
        let redis = try TestEnvironment.redis(server.url)
        #expect(await eventually { (try? await redis.send("PING")) == .status("PONG") })
        await #expect(throws: RedisError.self) { try await redis.send("CONFIG", "GET", "maxmemory-policy") }
        try await redis.readinessCheck.check()
        await server.stop()
    }
}
