import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Redis
import ServiceKit
import TestSupport
import Testing

@testable import Gateway

@Suite struct UpstreamTests {
    @Test func aStoppedGatewayLeavesNoRedisConnectionOpen() async throws {
        let server = try PrivateRedis()
        let redis = RedisClient(
            configuration: .init(endpoint: RedisEndpoint(host: "127.0.0.1", port: server.port), connections: 1), logger: Logger(label: "test"))
        let clients: @Sendable () async throws -> Substring? = {
            try await redis.send("INFO", "clients").string?.split(separator: "\r\n").first { $0.hasPrefix("connected_clients:") }
        }
        #expect(await eventually { (try? await clients()) != nil })
        let before = try await clients()
        try await GatewayHarness.withGateway(["REDIS_URL": server.url]) { client in
            // Proxied requests made the event loop's own connection to Redis.
            try await client.execute(uri: "/api/v1/experiences/1", method: .get) { #expect($0.status == .accepted) }
            #expect(try await clients() != before)
        }
        #expect(try await eventually { try await clients() == before }, "the gateway's Redis connections outlived it")
        await server.stop()
    }

    @Test func aDownInstanceIsSkippedEjectedAndUsedAgainWhenItReturns() async throws {
        let downPort = try TestEnvironment.freePort()
        try await withStandIn(GatewayHarness.standIn(instance: "up")) { upPort in
            let app = try await buildApplication(
                configuration: try TestEnvironment.configuration(
                    .gateway,
                    [
                        "BOOKING_URL": "http://127.0.0.1:\(downPort),http://127.0.0.1:\(upPort)",
                        "UPSTREAM_EJECT_AFTER": "1",
                        "UPSTREAM_EJECT_MS": "300",
                        "UPSTREAM_HEALTH_INTERVAL_MS": "100",
                    ]
                )
            )
            try await app.test(.live) { client in
                // Every GET succeeds: a refused connection is retried on the other instance.
                for _ in 0..<6 {
                    try await client.execute(uri: "/api/v1/experiences", method: .get) { response in
                        #expect(response.status == .accepted)
                        #expect(response.headers[.instance] == "up")
                    }
                }
                // The instance comes back; health checks and the end of the cool-down let it serve again.
                try await withStandIn(GatewayHarness.standIn(instance: "back"), port: downPort) {
                    let served = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                        try await client.execute(uri: "/api/v1/experiences", method: .get) { $0.headers[.instance] == "back" }
                    }
                    #expect(served)
                }
            }
        }
    }

    @Test func aHostNameStandsForEveryAddressItResolvesTo() {
        let urls = UpstreamPool.expand(URL(string: "http://localhost:8082")!)
        #expect(urls.map(\.absoluteString) == ["http://127.0.0.1:8082"])
        let literal = UpstreamPool.expand(URL(string: "http://10.1.2.3:8082")!)
        #expect(literal.map(\.absoluteString) == ["http://10.1.2.3:8082"])
    }
}
