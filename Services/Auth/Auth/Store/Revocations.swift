import Contracts
import Foundation
import Logging
import PostgresNIO
import Redis
import ServiceKit
import ServiceLifecycle

/// Revoked access tokens. A revocation is written in PostgreSQL inside the transaction that causes it (logout,
/// reuse of a refresh token, a disabled account) and then published to the deny-list in Redis, which the gateway
/// reads, and to the stream of revocations, which Messaging follows. If Redis is away, the publisher retries until it
/// is back: no revocation is lost. If Redis comes back without its data (a restart without persistence, a failover to
/// an empty replica), the revocations still in force are published again (``restoreIfLost()``).
struct Revocations: Service {
    let postgres: PostgresClient
    let redis: RedisClient
    let logger: Logger
    let clock: WallClock
    /// Whether the tables exist yet.
    let isMigrated: @Sendable () -> Bool
    var interval: Duration = .seconds(2)

    /// Records that the token `jti`, valid until `expiresAt`, is revoked.
    func revoke(jti: String, expiresAt: Date, on connection: PostgresConnection) async throws {
        guard expiresAt > clock.now() else { return }
        try await connection.query(
            "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (\(jti), \(expiresAt)) ON CONFLICT DO NOTHING",
            logger: logger
        )
    }

    /// A key Redis holds while it still has what was published: set after the revocations in force are marked to be
    /// published again, so that Redis losing its data loses this key too, and the next round finds it gone.
    static let marker = "auth:revocations:kept"

    /// Marks every revocation still in force to be published again when Redis no longer holds ``marker``.
    func restoreIfLost() async throws {
        guard try await redis.send("EXISTS", RedisArgument(Self.marker)).int == 0 else { return }
        let rows = try await postgres.query(
            """
            WITH restored AS (
                UPDATE revoked_access_tokens SET published_at = NULL WHERE published_at IS NOT NULL AND expires_at > \(clock.now()) RETURNING 1
            )
            SELECT count(*)::int FROM restored
            """,
            logger: logger
        )
        for try await restored in rows.decode(Int.self) where restored > 0 {
            logger.warning("Redis lost the revoked tokens: publishing them again", metadata: ["revocations": "\(restored)"])
        }
        _ = try await redis.send("SET", RedisArgument(Self.marker), "1")
    }

    /// Pushes every unpublished revocation to Redis, with the token's remaining lifetime, and forgets the expired.
    /// Errors are logged: the next round retries.
    func publish() async {
        do {
            try await restoreIfLost()
            let now = clock.now()
            let rows = try await postgres.query(
                "SELECT jti, expires_at FROM revoked_access_tokens WHERE published_at IS NULL AND expires_at > \(now) LIMIT 1000",
                logger: logger
            )
            var published: [String] = []
            for try await (jti, expiresAt) in rows.decode((String, Date).self) {
                let seconds = max(1, Int(expiresAt.timeIntervalSince(now).rounded(.up)) + 60)
                // The key before the stream's entry: whoever reads the entry finds the key too.
                let replies = try await redis.pipeline([
                    ["SET", RedisArgument(RevokedTokens.key(jti: jti)), "1", "EX", RedisArgument(String(seconds))],
                    ["XADD", RedisArgument(RevokedTokens.stream), "MAXLEN", "~", RedisArgument(RevokedTokens.streamLength), "*", "jti", RedisArgument(jti)],
                ])
                for reply in replies { _ = try reply.answer() }
                published.append(jti)
            }
            if !published.isEmpty {
                try await postgres.query("UPDATE revoked_access_tokens SET published_at = \(now) WHERE jti = ANY(\(published))", logger: logger)
            }
            try await postgres.query("DELETE FROM revoked_access_tokens WHERE expires_at < \(now)", logger: logger)
        } catch {
            logger.warning("Cannot publish token revocations yet", metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if isMigrated() { await publish() }
                try await Task.sleep(for: interval)
            }
        }
    }
}
