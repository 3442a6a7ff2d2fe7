import Atomics
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An async Redis client: a few multiplexed connections used round robin, each reconnected on demand after a
/// failure with exponential backoff (while in backoff, commands fail fast with ``RedisError/unavailable(_:)``
/// instead of piling up), and a timeout on every command.
///
/// Given the loops (for a service whose tasks run on them), the connections are spread over the loops, and a caller
/// running on one of them is given a connection of its own loop first. A task resumes on the loop its reply came in
/// on: the caller's work then stays on its loop, instead of following every reply to one loop (connections opened one
/// after another can all land on the same loop, as NIO hands its loops to connections and accepted sockets in one
/// turn). A service on Swift's own executor resumes its tasks on the pool's threads whatever the loop, and keeps the
/// plain turn.
public final class RedisClient: Service, Sendable {
    public struct Configuration: Sendable {
        public var endpoint: RedisEndpoint
        /// Connections to spread commands over; each carries many commands at once.
        public var connections: Int
        public var connectTimeout: Duration
        public var commandTimeout: Duration
        /// The first wait after a failed connect, doubled on each further failure up to `maximumBackoff`.
        public var minimumBackoff: Duration
        public var maximumBackoff: Duration

        public init(
            endpoint: RedisEndpoint,
            connections: Int = 4,
            connectTimeout: Duration = .seconds(1),
            commandTimeout: Duration = .seconds(2),
            minimumBackoff: Duration = .milliseconds(100),
            maximumBackoff: Duration = .seconds(5)
        ) {
            self.endpoint = endpoint
            self.connections = connections
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.minimumBackoff = minimumBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    public let configuration: Configuration
    /// Slot `i` connects on `loops[i % loops.count]`, or on any loop without them.
    let slots: [RedisConnectionSlot]
    private let loops: [any EventLoop]
    private let nextSlot = ManagedAtomic<Int>(0)
    /// Each loop's own turn among its slots.
    private let nextOfLoop: [ManagedAtomic<Int>]
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger, loops group: MultiThreadedEventLoopGroup? = nil) {
        self.configuration = configuration
        self.logger = logger
        let loops = group.map { Array($0.makeIterator()) } ?? []
        self.loops = loops
        nextOfLoop = loops.map { _ in ManagedAtomic(0) }
        slots = (0..<max(1, configuration.connections)).map { index in
            RedisConnectionSlot(configuration: configuration, loop: loops.isEmpty ? nil : loops[index % loops.count], logger: logger)
        }
    }

    /// Sends one command (`send("SET", "key", "value")`); an error reply is thrown.
    @discardableResult
    public func send(_ command: RedisArgument...) async throws -> RedisValue {
        try await send(command)
    }

    @discardableResult
    public func send(_ command: [RedisArgument]) async throws -> RedisValue {
        try await onConnection { try await $0.send(command) }
    }

    /// Sends the commands in one write and returns every reply in order (error replies included, not thrown).
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RedisValue] {
        try await onConnection { try await $0.pipeline(commands) }
    }

    /// Commands that never left, because their connection closed just before (as it does when another command on
    /// it times out), did not run: they go once more, on a connection made afresh.
    private func onConnection<T>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        do {
            return try await body(connection())
        } catch RedisError.notSent {
            return try await body(connection())
        }
    }

    /// Runs a Lua script by its SHA-1 and loads it with `EVAL` when the server does not know it yet (after a
    /// restart or `SCRIPT FLUSH`).
    public func run(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument]) async throws -> RedisValue {
        let call = script.call(keys: keys, arguments: arguments)
        do {
            return try await send(call)
        } catch  where RedisScript.isUnknown(error) {
            return try await send(script.loading(call))
        }
    }

    /// The next connection round robin, among those of the caller's loop first; one that is backing off is passed
    /// over for the others, so that one live connection is enough to keep serving.
    private func connection() async throws -> RedisConnection {
        var lastError: any Error = RedisError.unavailable("no connection")
        for index in order() {
            do {
                return try await slots[index].connection()
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Every slot once: from the caller's loop's next slot in its turn (`loop`, `loop + loops.count`, …), or from the
    /// next slot in the client's turn for a caller off the loops or on a loop without one. Lazy: asked for every
    /// command, and almost always only its first.
    func order() -> LazyMapCollection<Range<Int>, Int> {
        let start: Int
        if let loop = loops.firstIndex(where: { $0.inEventLoop }), loop < slots.count {
            let ofLoop = (slots.count - loop + loops.count - 1) / loops.count
            start = loop + loops.count * (nextOfLoop[loop].loadThenWrappingIncrement(ordering: .relaxed) % ofLoop)
        } else {
            start = nextSlot.loadThenWrappingIncrement(ordering: .relaxed) % slots.count
        }
        return (0..<slots.count).lazy.map { [count = slots.count] in (start + $0) % count }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        for slot in slots {
            await slot.close()
        }
    }
}

/// One connection of the client's: made when first needed, made again after it closes, with backoff between
/// failed attempts.
actor RedisConnectionSlot {
    private enum State {
        case idle
        case connecting(Task<RedisConnection, any Error>)
        case connected(RedisConnection)
        case backingOff(until: ContinuousClock.Instant, reason: String)
        case closed
    }

    private let configuration: RedisClient.Configuration
    nonisolated let loop: (any EventLoop)?
    private let logger: Logger
    private var state = State.idle
    private var failures = 0

    init(configuration: RedisClient.Configuration, loop: (any EventLoop)?, logger: Logger) {
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
    }

    func connection() async throws -> RedisConnection {
        switch state {
        case .connected(let connection) where connection.isActive:
            return connection
        case .connecting(let task):
            return try await task.value
        case .backingOff(let until, let reason) where ContinuousClock.now < until:
            throw RedisError.unavailable(reason)
        case .closed:
            throw RedisError.unavailable("client closed")
        case .idle, .connected, .backingOff:
            let configuration = configuration
            let group: any EventLoopGroup = loop ?? MultiThreadedEventLoopGroup.singleton
            let task = Task {
                try await RedisConnection.connect(
                    to: configuration.endpoint,
                    connectTimeout: configuration.connectTimeout,
                    commandTimeout: configuration.commandTimeout,
                    group: group
                )
            }
            state = .connecting(task)
            do {
                let connection = try await task.value
                if case .closed = state {
                    connection.close()
                    throw RedisError.unavailable("client closed")
                }
                if failures > 0 {
                    logger.info("Redis connection restored", metadata: ["after": "\(failures) failed attempts"])
                }
                failures = 0
                state = .connected(connection)
                return connection
            } catch {
                if case .closed = state { throw error }
                failures += 1
                let backoff = min(configuration.minimumBackoff * (1 << min(failures - 1, 16)), configuration.maximumBackoff)
                if failures == 1 {
                    logger.warning("Redis connection failed", metadata: ["error": "\(error)", "retryIn": "\(backoff)"])
                }
                state = .backingOff(until: .now + backoff, reason: "\(error)")
                throw RedisError.unavailable("\(error)")
            }
        }
    }

    func close() {
        if case .connected(let connection) = state {
            connection.close()
        }
        state = .closed
    }
}
