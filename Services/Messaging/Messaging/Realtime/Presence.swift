import Contracts
import Foundation
import Logging
import Redis
import ServiceKit

/// Who is online, shared by every instance through Redis: a sorted set per user of their open sockets, each
/// scored with the time it expires unless its instance refreshes it (so that a crashed instance's sockets fade
/// out), and the time each user was last seen. Typing marks are keys that expire on their own. When Redis is
/// away, users count as offline: they may get a notice too many, never one too few.
struct Presence: Sendable {
    let redis: RedisClient
    let logger: Logger
    /// How long a socket counts as open without a refresh.
    let lifetime: Duration
    /// How long a typing mark lasts.
    let typingLifetime: Duration

    struct State: Sendable, Equatable {
        var online: Bool
        var lastSeenAt: Date?
    }

    /// Records the socket; `true` when the user had no other socket open, anywhere.
    func connected(_ user: UUID, socket: UUID, at now: Date) async -> Bool {
        let key = Self.key(user)
        let replies = try? await redis.pipeline([
            ["ZREMRANGEBYSCORE", key, "-inf", RedisArgument(Self.score(now))],
            ["ZCARD", key],
            ["ZADD", key, RedisArgument(Self.score(now) + Int(lifetime.milliseconds)), RedisArgument(socket.uuidString)],
            ["PEXPIRE", key, RedisArgument(Int(lifetime.milliseconds))],
        ])
        return replies.map { $0[1].int == 0 } ?? false
    }

    /// Keeps the sockets of this instance open for another lifetime.
    func refresh(_ sockets: [(user: UUID, socket: UUID)], at now: Date) async {
        let expiry = RedisArgument(Self.score(now) + Int(lifetime.milliseconds))
        let commands = sockets.flatMap { user, socket -> [[RedisArgument]] in
            [["ZADD", Self.key(user), expiry, RedisArgument(socket.uuidString)], ["PEXPIRE", Self.key(user), RedisArgument(Int(lifetime.milliseconds))]]
        }
        for batch in stride(from: 0, to: commands.count, by: 1000).map({ commands[$0..<min($0 + 1000, commands.count)] }) {
            do { _ = try await redis.pipeline(Array(batch)) } catch {
                logger.warning("Cannot refresh presence", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// Forgets the socket; `true` when it was the user's last, and notes when they were last seen.
    func disconnected(_ user: UUID, socket: UUID, at now: Date) async -> Bool {
        let key = Self.key(user)
        guard
            let replies = try? await redis.pipeline([
                ["ZREM", key, RedisArgument(socket.uuidString)],
                ["ZREMRANGEBYSCORE", key, "-inf", RedisArgument(Self.score(now))],
                ["ZCARD", key],
            ]), replies[2].int == 0
        else { return false }
        _ = try? await redis.send("SET", RedisArgument(Self.seenKey(user)), RedisArgument(Self.score(now)), "EX", RedisArgument(90 * 86_400))
        return true
    }

    /// Each user's presence, in one round trip; none when Redis cannot say (callers count them offline).
    func states(of users: [UUID], at now: Date) async -> [UUID: State] {
        guard !users.isEmpty else { return [:] }
        let commands = users.flatMap { user -> [[RedisArgument]] in
            [["ZCOUNT", Self.key(user), RedisArgument(Self.score(now)), "+inf"], ["GET", RedisArgument(Self.seenKey(user))]]
        }
        guard let replies = try? await redis.pipeline(commands) else { return [:] }
        var states: [UUID: State] = [:]
        for (index, user) in users.enumerated() {
            let seen = replies[2 * index + 1].int.map { Date(timeIntervalSince1970: Double($0) / 1000) }
            states[user] = State(online: (replies[2 * index].int ?? 0) > 0, lastSeenAt: seen)
        }
        return states
    }

    /// Marks `user` typing in `conversation`; `true` when the mark is new, and the others should hear of it.
    func typing(_ user: UUID, in conversation: UUID) async -> Bool {
        let key = RedisArgument("messaging:typing:\(conversation.lowercasedString):\(user.lowercasedString)")
        let reply = try? await redis.send("SET", key, "1", "PX", RedisArgument(Int(typingLifetime.milliseconds)), "NX")
        return reply?.string == "OK"
    }

    private static func key(_ user: UUID) -> RedisArgument {
        RedisArgument("messaging:presence:\(user.lowercasedString)")
    }

    private static func seenKey(_ user: UUID) -> String {
        "messaging:seen:\(user.lowercasedString)"
    }

    private static func score(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970 * 1000)
    }
}
