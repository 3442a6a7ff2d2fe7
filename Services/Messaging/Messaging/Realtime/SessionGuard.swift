import Contracts
import Foundation
import Logging
import NIOConcurrencyHelpers
import Redis
import ServiceKit

/// Ends the sockets whose session ended: their token expired, or Auth revoked it (sign-out, a reused refresh
/// token, a password reset, a role change, a disabled account all put its `jti` on the deny-list in Redis). A round
/// reads the revocations since the last one from Auth's stream (``RevokedTokens/stream``): a few entries rather
/// than a question per open socket. Every `fullCheckEvery` rounds (`MESSAGING_SESSION_FULL_CHECK_MS`), and after a
/// failed one, it asks about every open socket's token instead, in case the stream lost entries (trimmed, or Redis
/// started afresh). While Redis is away, expiry is still enforced.
struct SessionGuard: PeriodicWork {
    let hub: Hub
    let redis: RedisClient
    let clock: WallClock
    let logger: Logger
    let fullCheckEvery: Int
    /// The stream's last entry read, and the rounds since the last full check; `nil` until a full check.
    let position = NIOLockedValueBox<(entry: String, rounds: Int)?>(nil)

    func runOnce() async {
        let now = clock.now()
        var live: [Socket] = []
        for socket in hub.openSockets {
            if socket.expiresAt <= now {
                socket.end(with: ServerFrame.error("token_expired", "Your access token expired: reconnect with a fresh one.").text, reason: "token expired")
            } else {
                live.append(socket)
            }
        }
        let revoked: Set<String>
        do {
            if let (entry, rounds) = position.withLockedValue({ $0 }), rounds < fullCheckEvery {
                let (jtis, last) = try await revocations(after: entry)
                revoked = jtis
                position.withLockedValue { $0 = (last, rounds + 1) }
            } else {
                // The stream's end first: a revocation after it is read next round; one before it has its key set.
                let end = try await streamEnd()
                revoked = try await denied(Array(Set(live.map(\.tokenID))))
                position.withLockedValue { $0 = (end, 0) }
            }
        } catch {
            position.withLockedValue { $0 = nil }
            logger.warning("Cannot read the token deny-list for open sockets", metadata: ["error": "\(error)"])
            return
        }
        for socket in live where revoked.contains(socket.tokenID) {
            socket.end(
                with: ServerFrame.error("session_revoked", "Your session ended (signed out, password or access changed): sign in again.").text,
                reason: "session revoked")
        }
    }

    /// The id of the stream's last entry, `0-0` while it has none.
    private func streamEnd() async throws -> String {
        let reply = try await redis.send("XREVRANGE", RedisArgument(RevokedTokens.stream), "+", "-", "COUNT", "1")
        return reply.array?.first?.array?.first?.string ?? "0-0"
    }

    /// The `jti`s revoked after the stream's entry `entry`, and the last entry read.
    private func revocations(after entry: String) async throws -> (Set<String>, String) {
        var jtis: Set<String> = []
        var last = entry
        while true {
            let reply = try await redis.send("XRANGE", RedisArgument(RevokedTokens.stream), RedisArgument("(" + last), "+", "COUNT", "1000")
            let entries = reply.array ?? []
            for entry in entries {
                guard let fields = entry.array, fields.count == 2, let id = fields[0].string, let pairs = fields[1].array else { continue }
                last = id
                for index in stride(from: 0, to: pairs.count - 1, by: 2) where pairs[index].string == "jti" {
                    if let jti = pairs[index + 1].string { jtis.insert(jti) }
                }
            }
            if entries.count < 1000 { return (jtis, last) }
        }
    }

    /// Which of `tokenIDs` are on the deny-list, in one pipeline.
    private func denied(_ tokenIDs: [String]) async throws -> Set<String> {
        guard !tokenIDs.isEmpty else { return [] }
        let answers = try await redis.pipeline(tokenIDs.map { ["EXISTS", RedisArgument(RevokedTokens.key(jti: $0))] })
        return Set(zip(tokenIDs, answers).filter { $0.1.int == 1 }.map(\.0))
    }
}
