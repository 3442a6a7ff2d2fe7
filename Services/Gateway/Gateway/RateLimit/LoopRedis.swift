import Logging
import NIOCore
import Redis
import ServiceKit

/// A Redis connection on one event loop, for the requests of that loop's clients, so that a command and its
/// reply never change threads. The commands issued while the loop handles one batch of socket events go to Redis
/// in one write when the batch is done (as Lettuce's and ioredis' automatic pipelining does): under load that is
/// one system call and one wake-up of Redis for many requests instead of one each. Replies come to callbacks on
/// the loop rather than through chains of futures, each of which allocates. Made when first needed and again
/// after it closes; after a failed connect, commands fail at once until a backoff (doubling up to the client
/// configuration's maximum) has passed.
final class LoopRedis {
    typealias Reply = (Result<RedisValue, any Error>) -> Void

    let loop: any EventLoop
    private let configuration: RedisClient.Configuration
    private var connection: RedisConnection?
    private var connecting: EventLoopFuture<RedisConnection>?
    private var flushScheduled = false
    private var failures = 0
    private var retryAt = NIODeadline.distantPast

    init(loop: any EventLoop, configuration: RedisClient.Configuration) {
        self.loop = loop
        self.configuration = configuration
    }

    /// Runs a Lua script by its SHA-1, loading it with `EVAL` when the server does not know it yet.
    func run(_ script: RedisScript, keys: [RedisArgument], arguments: [RedisArgument], then reply: @escaping Reply) {
        let call = script.call(keys: keys, arguments: arguments)
        send(call) { [self] result in
            if case .failure(let error) = result, RedisScript.isUnknown(error) { return send(script.loading(call), then: reply) }
            reply(result)
        }
    }

    /// Sends one command; an error reply is a failure with ``RedisError/server(_:)``.
    func send(_ command: [RedisArgument], then reply: @escaping Reply) {
        loop.preconditionInEventLoop()
        if let connection, connection.isActive { return send(command, on: connection, then: reply) }
        connect().assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let connection): send(command, on: connection, then: reply)
            case .failure(let error): reply(.failure(error))
            }
        }
    }

    private func send(_ command: [RedisArgument], on connection: RedisConnection, then reply: @escaping Reply) {
        connection.roundTrip([command], expectedReplies: 1, flush: false).assumeIsolated().whenComplete { result in
            reply(result.flatMap { replies in Result { try replies[0].answer() } })
        }
        if !flushScheduled {
            flushScheduled = true
            // Tasks run once the loop has handled the socket events at hand.
            loop.assumeIsolated().execute { [self] in
                flushScheduled = false
                connection.flush()
            }
        }
    }

    private func connect() -> EventLoopFuture<RedisConnection> {
        if let connecting { return connecting }
        guard NIODeadline.now() >= retryAt else { return loop.makeFailedFuture(RedisError.unavailable("backing off")) }
        let (loop, configuration) = (self.loop, self.configuration)
        let attempt = loop.makeFutureWithTask {
            try await RedisConnection.connect(
                to: configuration.endpoint, connectTimeout: configuration.connectTimeout,
                commandTimeout: configuration.commandTimeout, group: loop
            )
        }
        connecting = attempt
        attempt.assumeIsolated().whenComplete { [self] result in
            connecting = nil
            switch result {
            case .success(let connection):
                self.connection = connection
                failures = 0
            case .failure:
                failures += 1
                let backoff = min(configuration.minimumBackoff * (1 << min(failures - 1, 16)), configuration.maximumBackoff)
                retryAt = .now() + TimeAmount(backoff)
            }
        }
        return attempt
    }

    func close() {
        connection?.close()
    }
}
