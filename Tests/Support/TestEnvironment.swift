import Contracts
import Foundation
import ServiceKit
import Synchronization

/// Where the tests' private PostgreSQL and Redis are (`make test` starts them and sets these variables) and
/// the configuration a service gets in a test.
public enum TestEnvironment {
    public static let databaseURL =
        ProcessInfo.processInfo.environment["MAYAGO_TEST_DATABASE_URL"]
        ?? "postgres://mayago@127.0.0.1:15433/mayago_test"
    /// A streaming replica of the test database (`make test` starts it with `scripts/stores.sh replica`).
    public static let readDatabaseURL =
        ProcessInfo.processInfo.environment["MAYAGO_TEST_DATABASE_READ_URL"]
        ?? "postgres://mayago@127.0.0.1:15435/mayago_test"
    /// The authority that signed the test stores' certificate (for `localhost` only), and Redis's TLS port.
    public static let storesAuthority = ProcessInfo.processInfo.environment["MAYAGO_TEST_TLS_CA"] ?? "run/test/tls/ca.pem"
    public static let redisTLSURL = ProcessInfo.processInfo.environment["MAYAGO_TEST_REDIS_TLS_URL"] ?? "rediss://localhost:16381"
    public static let redisURL = ProcessInfo.processInfo.environment["MAYAGO_TEST_REDIS_URL"] ?? "redis://127.0.0.1:16380"
    /// Where `swift build` put the executables, for end-to-end tests.
    public static let binPath = ProcessInfo.processInfo.environment["MAYAGO_BIN_PATH"] ?? ".build/debug"

    /// The variables of a service under test: the test stores, an ephemeral port, quiet logs; `overrides` win.
    public static func variables(_ overrides: [String: String] = [:]) -> [String: String] {
        [
            "HTTP_PORT": "0",
            // The gateway's operators' port: any free one, so that gateways under test do not collide.
            "ADMIN_PORT": "0",
            "MAYAGO_ENV": "test",
            "LOG_LEVEL": "warning",
            "DATABASE_URL": databaseURL,
            "DATABASE_POOL_SIZE": "4",
            "REDIS_URL": redisURL,
            "OUTBOX_POLL_MS": "50",
            "OBJECT_STORE_PATH": FileManager.default.temporaryDirectory.appendingPathComponent("mayago-test-objects").path,
            // Router tests have no client address, so every anonymous request of every test shares one bucket.
            "RATE_LIMIT_ANONYMOUS": "100000/1m",
        ].merging(overrides) { $1 }
    }

    public static func configuration(_ service: ServiceName, _ overrides: [String: String] = [:]) throws -> ServiceConfiguration {
        try ServiceConfiguration(service: service, settings: .variables(variables(overrides)))
    }

    /// A TCP port on loopback that nothing uses right now, below Linux's ephemeral range (32768 and up), so that
    /// the outgoing connections of other tests running meanwhile cannot take it before it is bound.
    /// Never the same port twice in one test process: a port is only bound once its process has started (a `Stack`
    /// starts eight), and until then a second caller would find it free too.
    public static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<32_000)
            if canBind(port), handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    private static let handedOut = Mutex<Set<Int>>([])

    private static func canBind(_ port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
