import Contracts
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Redis
import ServiceKit
import ServiceLifecycle

/// This instance's open sockets, and the fan-out between instances: a frame for a user goes straight to the user's
/// sockets here and, through Redis pub/sub on the user's channel, to every other instance that has one of the
/// user's sockets (each subscribes to the channels of the users connected to it). If Redis is away, local delivery
/// goes on; the others catch up when they reconnect.
final class Hub: Service, Sendable {
    private let instance = UUID.random().uuidString
    /// How this instance's publishes begin (``deliver(_:to:except:message:)``).
    private let ownHeader: [UInt8]
    private let redis: RedisClient
    private let subscriber: RedisSubscriber
    private let presence: Presence
    private let clock: WallClock
    private let logger: Logger
    private let sockets = NIOLockedValueBox([UUID: [UUID: Socket]]())
    /// Users whose sockets came or went, with whom to tell when their channel is followed. One loop takes them in
    /// batches, so that a quick reconnect cannot end unsubscribed and a crowd of arrivals is one `SUBSCRIBE`.
    private let changes = NIOLockedValueBox([(user: UUID, done: CheckedContinuation<Void, Never>?)]())
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    init(redis: RedisClient, subscriber: RedisSubscriber, presence: Presence, clock: WallClock, logger: Logger) {
        self.redis = redis
        self.subscriber = subscriber
        self.presence = presence
        self.clock = clock
        self.logger = logger
        ownHeader = Array((instance + " ").utf8)
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds `socket`; returns once frames for its user reach it from every instance (while the subscriber is not
    /// connected yet, `/ready` keeps sockets away from this instance).
    func attach(_ socket: Socket) async {
        sockets.withLockedValue { $0[socket.user, default: [:]][socket.id] = socket }
        await withCheckedContinuation { done in
            changes.withLockedValue { $0.append((socket.user, done)) }
            wake.yield()
        }
    }

    /// Whether `user` has a socket open on this instance.
    func isConnectedHere(_ user: UUID) -> Bool {
        sockets.withLockedValue { $0[user] != nil }
    }

    /// Every socket open on this instance.
    var openSockets: [Socket] {
        sockets.withLockedValue { sockets in sockets.values.flatMap(\.values) }
    }

    func detach(_ socket: Socket) {
        sockets.withLockedValue { sockets in
            sockets[socket.user]?[socket.id] = nil
            if sockets[socket.user]?.isEmpty == true { sockets[socket.user] = nil }
        }
        changes.withLockedValue { $0.append((socket.user, nil)) }
        wake.yield()
    }

    /// Sends `frame` to every socket of `users`, here and on the other instances, but `except`. `message` names the
    /// message the frame carries, which a socket that is catching up may already have sent.
    func deliver(_ frame: ServerFrame, to users: [UUID], except: UUID? = nil, message: UUID? = nil) async {
        let text = frame.text
        deliverHere(text, to: users, except: except, message: message)
        let header = "\(instance) \(except?.uuidString ?? "-") \(message?.uuidString ?? "-")\n"
        let commands = users.map { user -> [RedisArgument] in ["PUBLISH", RedisArgument(Self.channel(user)), RedisArgument(header + text)] }
        do { _ = try await redis.pipeline(commands) } catch {
            logger.warning("Cannot publish to other instances", metadata: ["error": "\(error)"])
        }
    }

    private func deliverHere(_ text: String, to users: [UUID], except: UUID?, message: UUID?) {
        let targets = sockets.withLockedValue { sockets in users.flatMap { sockets[$0].map { Array($0.values) } ?? [] } }
        for socket in targets where socket.id != except {
            socket.send(text, message: message)
        }
    }

    /// Hands what other instances publish to the sockets here, and keeps this instance's presence marks fresh.
    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.refreshPresence() }
            group.addTask { await self.followSubscriptions() }
            for await published in subscriber.messages.cancelOnGracefulShutdown() {
                receive(published)
            }
            wake.finish()
            group.cancelAll()
        }
    }

    private func receive(_ published: RedisMessage) {
        // This instance follows the channels it publishes to, so its own frames come back: dropped unread.
        if published.payload.readableBytesView.starts(with: ownHeader) { return }
        let text = published.text
        guard let newline = text.firstIndex(of: "\n"), let user = UUID(uuidString: String(published.channel.dropFirst(Self.channelPrefix.count))) else {
            return
        }
        let header = text[..<newline].split(separator: " ")
        guard header.count == 3 else { return }
        deliverHere(
            String(text[text.index(after: newline)...]), to: [user], except: UUID(uuidString: String(header[1])), message: UUID(uuidString: String(header[2])))
    }

    /// Subscribes to the channel of each user with a socket here, and unsubscribes when the last one is gone.
    private func followSubscriptions() async {
        var subscribed: Set<UUID> = []
        for await _ in wakes {
            let batch = changes.withLockedValue { changes in
                defer { changes.removeAll() }
                return changes
            }
            let here = sockets.withLockedValue { sockets in Set(batch.map(\.user).filter { sockets[$0] != nil }) }
            let joining = here.subtracting(subscribed)
            let leaving = Set(batch.map(\.user)).subtracting(here).intersection(subscribed)
            // The subscriber remembers its channels and subscribes again after a reconnect, even when this fails.
            subscribed.formUnion(joining)
            subscribed.subtract(leaving)
            do {
                try await subscriber.subscribe(joining.map(Self.channel))
                try await subscriber.unsubscribe(leaving.map(Self.channel))
            } catch {
                logger.warning("Cannot follow users' channels", metadata: ["error": "\(error)"])
            }
            for change in batch { change.done?.resume() }
        }
        // Shutting down: nobody waits for a channel any more.
        for change in changes.withLockedValue({ changes in
            defer { changes.removeAll() }
            return changes
        }) { change.done?.resume() }
    }

    private func refreshPresence() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: presence.lifetime / 3)
            let open = sockets.withLockedValue { sockets in sockets.flatMap { user, sockets in sockets.keys.map { (user: user, socket: $0) } } }
            await presence.refresh(open, at: clock.now())
        }
    }

    private static let channelPrefix = "messaging:user:"

    static func channel(_ user: UUID) -> String {
        channelPrefix + user.lowercasedString
    }
}
