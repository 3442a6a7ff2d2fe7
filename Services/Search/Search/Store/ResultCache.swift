import Contracts
import Crypto
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import Redis
import ServiceKit

/// Search results in Redis for `ttl`, under the index's version: every change of the index bumps the version, so a
/// change is searchable at once and stale entries simply expire. Redis away is no error: searches are then
/// answered from the index every time. A `ttl` of zero keeps nothing: every search is answered from the index without
/// a round trip to Redis (the index's version is still kept, for the completions).
struct ResultCache: Sendable {

    /// The version and the entry under it, in one round trip (`''` for a miss: a Lua table cannot hold nil).
    private static let lookup = RedisScript(
        """
        local version = redis.call('GET', KEYS[1]) or '0'
        local cached = redis.call('GET', KEYS[1] .. ':' .. version .. ':' .. ARGV[1])
        return {version, cached or ''}
        """
    )

    let redis: RedisClient
    /// `search:<schema>:version`: one index per schema, whoever else shares the Redis.
    let versionKey: String
    let ttl: Duration
    let logger: Logger

    /// The cached answer to `query`, or what `compute` answers (then cached under the version it was asked at).
    func answer(_ query: String, compute: () async throws -> Data) async throws -> Data {
        guard ttl > .zero else { return try await compute() }
        let key = SHA256.hash(data: Data(query.utf8)).hexString
        var version: String?
        do {
            let found = try await redis.run(Self.lookup, keys: [RedisArgument(versionKey)], arguments: [RedisArgument(key)]).array ?? []
            version = found.first?.string
            if let cached = found.last?.bytes, !cached.isEmpty { return Data(cached) }
        } catch {
            logger.debug("Search cache unavailable", metadata: ["error": "\(error)"])
        }
        let answer = try await compute()
        if let version {
            let entry = "\(versionKey):\(version):\(key)"
            _ = try? await redis.send("SET", RedisArgument(entry), RedisArgument(ByteBuffer(bytes: answer)), "PX", RedisArgument(Int(ttl.milliseconds)))
        }
        return answer
    }

    /// The index's version now; `nil` when Redis cannot say.
    func version() async -> String? {
        do {
            return try await redis.send("GET", RedisArgument(versionKey)).string ?? "0"
        } catch {
            return nil
        }
    }

    /// The index changed: what was cached is no longer asked for.
    func invalidate() async {
        do {
            _ = try await redis.send("INCR", RedisArgument(versionKey))
        } catch {
            // Entries of the old version may be served until they expire.
            logger.warning("Search cache not invalidated", metadata: ["error": "\(error)"])
        }
    }
}
