import NIOCore
import NIOPosix
import NIOSSL

/// One connection to Redis. Many commands may be in flight at once; replies come back in order.
public final class RedisConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects, authenticates and selects the database of `endpoint`, on an event loop of `group` (one given
    /// event loop, for a caller that wants its replies there without a thread hop). A command not answered
    /// within `commandTimeout` fails, with every other one waiting, and closes the connection.
    public static func connect(
        to endpoint: RedisEndpoint,
        connectTimeout: Duration,
        commandTimeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onMessage: (@Sendable (RedisMessage) -> Void)? = nil
    ) async throws -> RedisConnection {
        let tls = try endpoint.tls.map { tls in
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let file = tls.authorityFile { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file)) }
            return try NIOSSLContext(configuration: configuration)
        }
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // The name checked is the host's, as the URL gives it (an address is checked as one).
                        let name = endpoint.host.first?.isNumber == true || endpoint.host.contains(":") ? nil : endpoint.host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(commandTimeout: commandTimeout, onMessage: onMessage))
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
                _ = try await connection.send(auth)
            }
            if endpoint.database != 0 {
                _ = try await connection.send(["SELECT", RedisArgument(endpoint.database)])
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    public var isActive: Bool { channel.isActive }

    /// Sends one command; an error reply is thrown as ``RedisError/server(_:)``.
    public func send(_ command: [RedisArgument]) async throws -> RedisValue {
        try await roundTrip([command], expectedReplies: 1).get()[0].answer()
    }

    /// Sends all commands in one write and returns their replies in order; error replies stay in the list.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RedisValue] {
        // Nothing to send is nothing to wait for (a request expecting no reply would wait out the timeout).
        guard !commands.isEmpty else { return [] }
        return try await roundTrip(commands, expectedReplies: commands.count).get()
    }

    /// Sends what commands wait in the channel.
    public func flush() {
        channel.flush()
    }

    /// The replies to `commands` (`expectedReplies` of them: more than one each for `SUBSCRIBE` of many
    /// channels), error replies included, or the failure of all of them (the command timeout included); on the
    /// connection's event loop. Unless `flush`, the commands wait in the channel for a ``flush()``.
    public func roundTrip(_ commands: [[RedisArgument]], expectedReplies: Int, flush: Bool = true) -> EventLoopFuture<[RedisValue]> {
        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
        let request = RedisRequest(commands: commands, expectedReplies: expectedReplies, promise: promise)
        if channel.eventLoop.inEventLoop {
            // On its loop, an open channel still has its handler, which fails the request if the write fails: no
            // future is needed for the write (the gateway sends one command per request).
            guard channel.isActive else {
                promise.fail(RedisError.notSent)
                return promise.futureResult
            }
            channel.write(request, promise: nil)
            if flush { channel.flush() }
        } else {
            let written = flush ? channel.writeAndFlush(request) : channel.write(request)
            written.whenFailure { _ in promise.fail(RedisError.notSent) }
        }
        return promise.futureResult
    }

    public func close() {
        channel.close(promise: nil)
    }
}
