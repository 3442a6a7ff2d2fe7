import NIOCore
import NIOPosix

/// One connection to Redis. Many commands may be in flight at once; replies come back in order.
public final class RedisConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects, authenticates and selects the database of `endpoint`, on an event loop of `group` (one given
    /// event loop, for a caller that wants its replies there without a thread hop).
    public static func connect(
        to endpoint: RedisEndpoint,
        connectTimeout: Duration,
        commandTimeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onMessage: (@Sendable (RedisMessage) -> Void)? = nil
    ) async throws -> RedisConnection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(onMessage: onMessage))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .get()
        let connection = RedisConnection(channel: channel)
        do {
            if let password = endpoint.password {
                var auth: [RedisArgument] = ["AUTH"]
                if let username = endpoint.username { auth.append(RedisArgument(username)) }
                auth.append(RedisArgument(password))
                _ = try await connection.send(auth, timeout: commandTimeout)
            }
            if endpoint.database != 0 {
                _ = try await connection.send(["SELECT", RedisArgument(endpoint.database)], timeout: commandTimeout)
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    public var isActive: Bool { channel.isActive }

    /// Sends one command; an error reply is thrown as ``RedisError/server(_:)``.
    public func send(_ command: [RedisArgument], timeout: Duration) async throws -> RedisValue {
        try await reply(to: command, timeout: timeout).get()
    }

    /// The reply to one command, on the connection's event loop; an error reply fails the future with
    /// ``RedisError/server(_:)``. Unless `flush`, the command waits in the channel for a ``flush()``, so that
    /// the commands of many callers go in one write.
    public func reply(to command: [RedisArgument], timeout: Duration, flush: Bool = true) -> EventLoopFuture<RedisValue> {
        roundTrip([command], expectedReplies: 1, timeout: timeout, flush: flush).flatMapThrowing { replies in
            if case .error(let message) = replies[0] { throw RedisError.server(message) }
            return replies[0]
        }
    }

    /// Sends all commands in one write and returns their replies in order; error replies stay in the list.
    public func pipeline(_ commands: [[RedisArgument]], timeout: Duration) async throws -> [RedisValue] {
        try await roundTrip(commands, expectedReplies: commands.count, timeout: timeout).get()
    }

    /// Sends what commands wait in the channel.
    public func flush() {
        channel.flush()
    }

    func roundTrip(_ commands: [[RedisArgument]], expectedReplies: Int, timeout: Duration, flush: Bool = true) -> EventLoopFuture<[RedisValue]> {
        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
        let request = RedisRequest(commands: commands, expectedReplies: expectedReplies, promise: promise)
        let written = flush ? channel.writeAndFlush(request) : channel.write(request)
        written.whenFailure { _ in promise.fail(RedisError.connectionClosed) }
        let channel = channel
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            // The reply may still come, and would then be taken for the next command's: drop the connection.
            promise.fail(RedisError.timeout)
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        return promise.futureResult
    }

    public func close() {
        channel.close(promise: nil)
    }
}
