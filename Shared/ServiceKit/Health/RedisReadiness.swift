import Redis

extension RedisClient {
    /// `/ready`'s check of Redis: it answers, and it keeps what it is given. Deny-list entries carry a TTL, so an
    /// evicting `maxmemory-policy` (any `allkeys-…` or `volatile-…`) may drop one when memory runs short, and a token
    /// signed out would pass again: the service is not ready until the policy is `noeviction`, Redis's default. A
    /// Redis that does not let `CONFIG` be read (managed ones may not) is taken at its word.
    var readinessCheck: ReadinessCheck {
        ReadinessCheck(name: "redis") { [self] in
            try await send("PING")
            let reply: RedisValue
            do {
                reply = try await send("CONFIG", "GET", "maxmemory-policy")
            } catch RedisError.server {
                return
            }
            guard let pair = reply.array, pair.count == 2, let policy = pair[1].string, policy != "noeviction" else { return }
            throw EvictingRedis(policy: policy)
        }
    }
}

/// Redis may evict keys, the deny-list's among them.
struct EvictingRedis: Error, CustomStringConvertible {
    let policy: String

    var description: String { "maxmemory-policy is \(policy), which may evict the token deny-list; set it to noeviction" }
}
