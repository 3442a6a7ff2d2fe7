import ServiceKit

/// GCRA in Redis, shared by every gateway instance: all buckets of a request are checked and, only if every one
/// allows it, charged, in one atomic round trip. Redis' own clock is used, so instances need not agree on time.
struct RedisRateLimiter: Sendable {
    let redis: RedisClient

    /// KEYS: the buckets; ARGV: per bucket its emission interval (ms) and count.
    /// Returns {allowed, limit, remaining, reset ms, retry-after ms} for the bucket closest to its limit.
    static let script = RedisScript(
        """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local allowed = 1
        local best = nil
        local updates = {}
        for i, key in ipairs(KEYS) do
            local interval = tonumber(ARGV[2 * i - 1])
            local count = tonumber(ARGV[2 * i])
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

    func check(_ buckets: [RateLimitBucket]) async throws -> RateLimitDecision {
        let keys = buckets.map { RedisArgument("ratelimit:\($0.key)") }
        let arguments = buckets.flatMap { [RedisArgument(String($0.limit.emissionIntervalMs)), RedisArgument($0.limit.count)] }
        let reply = try await redis.run(Self.script, keys: keys, arguments: arguments)
        guard let values = reply.array?.compactMap(\.int), values.count == 5 else {
            throw RedisError.protocolError("unexpected rate limit reply \(reply)")
        }
        return RateLimitDecision(
            allowed: values[0] == 1,
            limit: values[1],
            remaining: values[2],
            resetSeconds: (values[3] + 999) / 1000,
            retryAfterSeconds: (values[4] + 999) / 1000
        )
    }
}
