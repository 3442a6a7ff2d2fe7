import Contracts
import Foundation
import Logging
import Redis
import ServiceKit

/// Ends the sockets whose session ended: their token expired, or Auth revoked it (sign-out, a reused refresh
/// token, a password reset, a role change, a disabled account all put its `jti` on the deny-list in Redis). Each
/// round asks Redis about every open socket's token in one pipeline; while Redis is away, expiry is still enforced.
struct SessionGuard: PeriodicWork {
    let hub: Hub
    let redis: RedisClient
    let clock: WallClock
    let logger: Logger

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
        let tokenIDs = Array(Set(live.map(\.tokenID)))
        guard !tokenIDs.isEmpty else { return }
        let revoked: Set<String>
        do {
            let answers = try await redis.pipeline(tokenIDs.map { ["EXISTS", RedisArgument(RevokedTokens.key(jti: $0))] })
            revoked = Set(zip(tokenIDs, answers).filter { $0.1.int == 1 }.map(\.0))
        } catch {
            logger.warning("Cannot read the token deny-list for open sockets", metadata: ["error": "\(error)"])
            return
        }
        for socket in live where revoked.contains(socket.tokenID) {
            socket.end(
                with: ServerFrame.error("session_revoked", "Your session ended (signed out, password or access changed): sign in again.").text,
                reason: "session revoked")
        }
    }
}
