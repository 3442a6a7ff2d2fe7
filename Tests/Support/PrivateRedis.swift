import NIOConcurrencyHelpers

/// A Redis server of a test's own, on a free port, that the test can stop and start again.
public final class PrivateRedis: Sendable {
    public let port: Int
    /// More of `redis-server`'s options, at every start.
    private let options: [String]
    private let process = NIOLockedValueBox<ChildProcess?>(nil)

    public init(options: [String] = []) throws {
        port = try TestEnvironment.freePort()
        self.options = options
        try start()
    }

    public var url: String { "redis://127.0.0.1:\(port)" }

    public func start() throws {
        let server = try ChildProcess(
            "/usr/bin/redis-server",
            arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"] + options,
            name: "redis-\(port)"
        )
        process.withLockedValue { $0 = server }
    }

    public func stop() async {
        let server = process.withLockedValue { server in
            defer { server = nil }
            return server
        }
        await server?.stop()
    }
}
