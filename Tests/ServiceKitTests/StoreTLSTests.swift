import Foundation
import Logging
import PostgresNIO
import Redis
import ServiceKit
import TestSupport
import Testing

/// PostgreSQL's `sslmode` as libpq means it, and `rediss://`, against the test stores, whose certificate names
/// `localhost` only and is signed by an authority of the test run's own.
@Suite struct StoreTLSTests {
    /// The test database's URL with `host` and these query items.
    func databaseURL(host: String, _ query: String) -> URL {
        var url = URLComponents(string: TestEnvironment.databaseURL)!
        url.host = host
        url.query = query
        return url.url!
    }

    /// Whether a connection made with `url` is encrypted; throws when none is made `within` that time (the pool
    /// retries a refused handshake).
    func encrypted(_ url: URL, within limit: Duration = .seconds(10)) async throws -> Bool {
        var logger = Logger(label: "tls-test")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: try .init(url: url, schema: "public", poolSize: 1), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await client.run() }
            defer { tasks.cancelAll() }
            return try await withTimeout(limit) {
                let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                return try await rows.decode(Bool.self).first { _ in true } == true
            }
        }
    }

    @Test func postgresSSLModesCheckWhatTheySay() async throws {
        let ours = TestEnvironment.storesAuthority
        let theirs = TestCertificates.shared.authority
        #expect(try await encrypted(databaseURL(host: "localhost", "sslmode=verify-full&sslrootcert=\(ours)")))
        // The certificate names localhost, not 127.0.0.1: verify-ca does not look at the name, verify-full does.
        #expect(try await encrypted(databaseURL(host: "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(ours)")))
        await #expect(throws: (any Error).self) {
            try await encrypted(databaseURL(host: "127.0.0.1", "sslmode=verify-full&sslrootcert=\(ours)"), within: .seconds(3))
        }
        // Another authority's server is refused when verifying, and accepted by require alone, which only encrypts.
        await #expect(throws: (any Error).self) {
            try await encrypted(databaseURL(host: "localhost", "sslmode=verify-full&sslrootcert=\(theirs)"), within: .seconds(3))
        }
        await #expect(throws: (any Error).self) {
            try await encrypted(databaseURL(host: "localhost", "sslmode=require&sslrootcert=\(theirs)"), within: .seconds(3))
        }
        #expect(try await encrypted(databaseURL(host: "localhost", "sslmode=require")))
        #expect(try await encrypted(databaseURL(host: "localhost", "sslmode=disable")) == false)
        #expect(throws: ConfigurationError.self) {
            try PostgresClient.Configuration(url: databaseURL(host: "localhost", "sslmode=always"), schema: "public", poolSize: 1)
        }
    }

    @Test func redissChecksTheServersCertificateAndName() async throws {
        let url = URL(string: TestEnvironment.redisTLSURL)!
        func ping(_ url: URL) async throws -> RedisValue {
            let connection = try await RedisConnection.connect(to: try RedisEndpoint(url: url), connectTimeout: .seconds(3), commandTimeout: .seconds(3))
            defer { connection.close() }
            return try await connection.send(["PING"])
        }
        func with(host: String, authority: String) -> URL {
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
            components.host = host
            components.query = "ssl_ca_certs=\(authority)"
            return components.url!
        }
        #expect(try await ping(with(host: "localhost", authority: TestEnvironment.storesAuthority)) == .status("PONG"))
        await #expect(throws: (any Error).self) { try await ping(with(host: "127.0.0.1", authority: TestEnvironment.storesAuthority)) }
        await #expect(throws: (any Error).self) { try await ping(with(host: "localhost", authority: TestCertificates.shared.authority)) }
        // Without TLS the TLS port answers nothing a client can read.
        var plain = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        plain.scheme = "redis"
        await #expect(throws: (any Error).self) { try await ping(plain.url!) }
    }
}
