import Contracts
import NIOCore
import Redis
import ServiceKit

/// GCRA in Redis, shared by every gateway instance: all buckets of a request are checked and, only if every one
/// allows it, charged, in one atomic round trip, which also looks the caller's token up on the revoked-`jti`
/// deny-list. One call charges any number of requests of the same token and buckets, one after the other, exactly as
/// that many calls would (``RateLimitCharges`` gathers them). Redis' own clock is used, so instances need not agree
/// on time.
enum RedisRateLimiter {
    /// KEYS: the token's deny-list key when ARGV[1] is 1, then the buckets; ARGV: then the number of requests, then
    /// per bucket its emission interval (ms) and count. Returns, for each request in turn, {allowed, limit, remaining,
    /// reset ms, retry-after ms} for the bucket closest to its limit, or {-1} (nothing charged) when the token is
    /// revoked.
    static let script = RedisScript(
        """
        local denied = tonumber(ARGV[1])
        if denied == 1 and redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
        local requests = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local buckets = {}
        for i = denied + 1, #KEYS do
            local tat = tonumber(redis.call('GET', KEYS[i]) or now)
            if tat < now then tat = now end
            buckets[#buckets + 1] = {
                key = KEYS[i], tat = tat,
                interval = tonumber(ARGV[2 * (i - denied) + 1]), count = tonumber(ARGV[2 * (i - denied) + 2])
            }
        end
        local charged = false
        local answers = {}
        for _ = 1, requests do
            local allowed = 1
            local best = nil
            for _, bucket in ipairs(buckets) do
                local new_tat = bucket.tat + bucket.interval
                local allow_at = new_tat - bucket.interval * bucket.count
                local result
                if now < allow_at then
                    allowed = 0
                    result = {bucket.count, 0, bucket.tat - now, allow_at - now}
                else
                    local remaining = math.min(math.floor((now - allow_at) / bucket.interval), bucket.count - 1)
                    result = {bucket.count, remaining, new_tat - now, 0}
                end
                if best == nil or result[2] < best[2] or (result[2] == best[2] and result[4] > best[4]) then
                    best = result
                end
            end
            if allowed == 1 then
                charged = true
                for _, bucket in ipairs(buckets) do bucket.tat = bucket.tat + bucket.interval end
            end
            answers[#answers + 1] = allowed
            answers[#answers + 1] = best[1]
            answers[#answers + 1] = best[2]
            answers[#answers + 1] = math.ceil(best[3])
            answers[#answers + 1] = math.ceil(best[4])
        end
        if charged then
            for _, bucket in ipairs(buckets) do
                redis.call('SET', bucket.key, bucket.tat, 'PX', math.ceil(bucket.tat - now))
            end
        end
        return answers
        """
    )

    /// The decisions for `requests` requests to `buckets`, in turn, or `nil` (nothing charged) when `tokenID` is on
    /// the deny-list.
    static func check(
        _ buckets: [RateLimitBucket], requests: Int, unlessRevoked tokenID: String?, on redis: LoopRedis,
        then decide: @escaping (Result<[RateLimitDecision]?, any Error>) -> Void
    ) {
        var keys: [RedisArgument] = []
        var arguments = [RedisArgument(tokenID == nil ? 0 : 1), RedisArgument(requests)]
        keys.reserveCapacity(buckets.count + 1)
        arguments.reserveCapacity(2 * buckets.count + 2)
        if let tokenID { keys.append(RedisArgument(RevokedTokens.key(jti: tokenID))) }
        for bucket in buckets {
            keys.append(RedisArgument("ratelimit:" + bucket.key))
            arguments.append(RedisArgument(String(bucket.limit.emissionIntervalMs)))
            arguments.append(RedisArgument(bucket.limit.count))
        }
        redis.run(script, keys: keys, arguments: arguments) { reply in
            decide(reply.flatMap { decisions($0, requests: requests) })
        }
    }

    private static func decisions(_ reply: RedisValue, requests: Int) -> Result<[RateLimitDecision]?, any Error> {
        guard let values = reply.array else { return .failure(RedisError.protocolError("unexpected rate limit reply \(reply)")) }
        if values.count == 1, case .integer(-1) = values[0] { return .success(nil) }
        guard values.count == 5 * requests else { return .failure(RedisError.protocolError("unexpected rate limit reply \(reply)")) }
        var decisions: [RateLimitDecision] = []
        decisions.reserveCapacity(requests)
        for start in stride(from: 0, to: values.count, by: 5) {
            guard case .integer(let allowed) = values[start], case .integer(let limit) = values[start + 1],
                case .integer(let remaining) = values[start + 2], case .integer(let resetMs) = values[start + 3],
                case .integer(let retryAfterMs) = values[start + 4]
            else {
                return .failure(RedisError.protocolError("unexpected rate limit reply \(reply)"))
            }
            decisions.append(
                RateLimitDecision(
                    allowed: allowed == 1, limit: limit, remaining: remaining,
                    resetSeconds: (resetMs + 999) / 1000, retryAfterSeconds: (retryAfterMs + 999) / 1000
                )
            )
        }
        return .success(decisions)
    }
}
