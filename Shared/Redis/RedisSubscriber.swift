import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Publish/subscribe on a connection of its own (a subscribed connection can do nothing else). It keeps the set
/// of channels and, when the connection drops, reconnects with backoff and subscribes again. Messages published
/// while it was away are gone, as pub/sub promises nothing more; consumers catch up from their store.
public final class RedisSubscriber: Service, Sendable {
    /// Every message of every subscribed channel, in arrival order.
    public let messages: AsyncStream<RedisMessage>
    private let continuation: AsyncStream<RedisMessage>.Continuation
    private let configuration: RedisClient.Configuration
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var channels: Set<String> = []
        var connection: RedisConnection?
    }

    public init(configuration: RedisClient.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        (messages, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(10_000))
    }

    /// Subscribes to `channels`; when connected, returns once Redis confirmed.
    public func subscribe(_ channels: [String]) async throws {
        let connection = state.withLockedValue { state in
            state.channels.formUnion(channels)
            return state.connection
        }
        try await send("SUBSCRIBE", channels, on: connection)
    }

    public func unsubscribe(_ channels: [String]) async throws {
        let connection = state.withLockedValue { state in
            state.channels.subtract(channels)
            return state.connection
        }
        try await send("UNSUBSCRIBE", channels, on: connection)
    }

    /// Sends `SUBSCRIBE` or `UNSUBSCRIBE`, which Redis confirms once per channel.
    private func send(_ verb: RedisArgument, _ channels: [String], on connection: RedisConnection?) async throws {
        guard let connection, !channels.isEmpty else { return }
        _ = try await connection.roundTrip([[verb] + channels.map { RedisArgument($0) }], expectedReplies: channels.count).get()
    }

    /// Whether a subscribed connection is up.
    public var isConnected: Bool {
        state.withLockedValue { $0.connection?.isActive ?? false }
    }

    /// Keeps the connection up until shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let connection = try await RedisConnection.connect(
                        to: self.configuration.endpoint,
                        connectTimeout: self.configuration.connectTimeout,
                        commandTimeout: self.configuration.commandTimeout,
                        onMessage: { [continuation = self.continuation] in continuation.yield($0) }
                    )
                    let channels = self.state.withLockedValue { state in
                        state.connection = connection
                        return Array(state.channels)
                    }
                    try await self.send("SUBSCRIBE", channels, on: connection)
                    if failures > 0 { self.logger.info("Redis subscriber reconnected") }
                    failures = 0
                    // NIO futures do not see task cancellation: close the connection to stop waiting.
                    try await withTaskCancellationHandler {
                        try await connection.channel.closeFuture.get()
                    } onCancel: {
                        connection.close()
                    }
                    self.logger.warning("Redis subscriber connection closed")
                } catch {
                    failures += 1
                    if failures == 1 { self.logger.warning("Redis subscriber cannot connect", metadata: ["error": "\(error)"]) }
                }
                self.state.withLockedValue { $0.connection = nil }
                let backoff = min(self.configuration.minimumBackoff * (1 << min(failures, 16)), self.configuration.maximumBackoff)
                try? await Task.sleep(for: backoff)
            }
        }
        state.withLockedValue { $0.connection?.close() }
        continuation.finish()
    }
}
