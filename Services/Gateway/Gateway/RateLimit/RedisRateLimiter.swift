import Contracts
import NIOCore
import Redis
import ServiceKit

/// GCRA in Redis, shared by every gateway instance: all buckets of a request are checked and, only if every one
/// allows it, charged, in one atomic round trip, which also looks the caller's token up on the revoked-`jti`
/// deny-list. Redis' own clock is used, so instances need not agree on time.
enum RedisRateLimiter {
    /// KEYS: the token's deny-list key when ARGV[1] is 1, then the buckets; ARGV: then per bucket its emission
    /// interval (ms) and count. Returns {allowed, limit, remaining, reset ms, retry-after ms} for the bucket
    /// closest to its limit, or {-1} (nothing charged) when the token is revoked.
    static let script = RedisScript(
        """
        local denied = tonumber(ARGV[1])
        if denied == 1 and redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local allowed = 1
        local best = nil
        local updates = {}
        for i = denied + 1, #KEYS do
            local key = KEYS[i]
            local interval = tonumber(ARGV[2 * (i - denied)])
            local count = tonumber(ARGV[2 * (i - denied) + 1])
            local burst = interval * count
            local tat = tonumber(redis.call('GET', key) or now)
            if tat < now then tat = now end
            local new_tat = tat + interval
            local allow_at = new_tat - burst
            local result
            if now < allow_at then
                allowed = 0
                result = {count, 0, tat - now, allow_at - now}
            else
                local remaining = math.min(math.floor((now - allow_at) / interval), count - 1)
                result = {count, remaining, new_tat - now, 0}
                updates[#updates + 1] = {key, new_tat, new_tat - now}
            end
            if best == nil or result[2] < best[2] or (result[2] == best[2] and result[4] > best[4]) then
                best = result
            end
        end
        if allowed == 1 then
            for _, update in ipairs(updates) do
                redis.call('SET', update[1], update[2], 'PX', math.ceil(update[3]))
            end
        end
        return {allowed, best[1], best[2], math.ceil(best[3]), math.ceil(best[4])}
        """
    )

    /// The decision for `buckets`, or `nil` (nothing charged) when `tokenID` is on the deny-list.
    static func check(
        _ buckets: [RateLimitBucket], unlessRevoked tokenID: String?, on redis: LoopRedis,
        then decide: @escaping (Result<RateLimitDecision?, any Error>) -> Void
    ) {
        var keys: [RedisArgument] = []
        var arguments = [RedisArgument(tokenID == nil ? 0 : 1)]
        keys.reserveCapacity(buckets.count + 1)
        arguments.reserveCapacity(2 * buckets.count + 1)
        if let tokenID { keys.append(RedisArgument(RevokedTokens.key(jti: tokenID))) }
        for bucket in buckets {
            keys.append(RedisArgument("ratelimit:" + bucket.key))
            arguments.append(RedisArgument(String(bucket.limit.emissionIntervalMs)))
            arguments.append(RedisArgument(bucket.limit.count))
        }
        redis.run(script, keys: keys, arguments: arguments) { reply in
            decide(reply.flatMap(decision))
        }
    }

    private static func decision(_ reply: RedisValue) -> Result<RateLimitDecision?, any Error> {
        guard let values = reply.array else { return .failure(RedisError.protocolError("unexpected rate limit reply \(reply)")) }
        if values.count == 1, case .integer(-1) = values[0] { return .success(nil) }
        guard values.count == 5, case .integer(let allowed) = values[0], case .integer(let limit) = values[1],
            case .integer(let remaining) = values[2], case .integer(let resetMs) = values[3], case .integer(let retryAfterMs) = values[4]
        else {
            return .failure(RedisError.protocolError("unexpected rate limit reply \(reply)"))
        }
        let decision = RateLimitDecision(
            allowed: allowed == 1, limit: limit, remaining: remaining,
            resetSeconds: (resetMs + 999) / 1000, retryAfterSeconds: (retryAfterMs + 999) / 1000
        )
        return .success(decision)
    }
}
