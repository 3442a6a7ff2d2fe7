import NIOCore

/// The rate limit charges made while one event loop handles a batch of socket events, grouped by token and buckets
/// and sent when the batch is done: each group is one script call in Redis, however many requests it holds (a page
/// load's burst of calls from one user, or a load test's). Redis charges a group's requests one after the other, as
/// if each had come alone, so the decisions are the same; what is saved is Redis' work and the gateway's per command.
/// Used only on its loop.
final class RateLimitCharges {
    typealias Decide = (Result<RateLimitDecision?, any Error>) -> Void

    private struct Group: Hashable {
        let tokenID: String?
        let buckets: [RateLimitBucket]
    }

    private let redis: LoopRedis
    private var pending: [Group: [Decide]] = [:]

    init(redis: LoopRedis) {
        self.redis = redis
    }

    /// Charges one request to `buckets`; `decide` gets the decision, or `nil` (nothing charged) when `tokenID` is on
    /// the deny-list.
    func charge(_ buckets: [RateLimitBucket], unlessRevoked tokenID: String?, then decide: @escaping Decide) {
        if pending.isEmpty {
            // Tasks run once the loop has handled the socket events at hand.
            redis.loop.assumeIsolated().execute { [self] in send() }
        }
        pending[Group(tokenID: tokenID, buckets: buckets), default: []].append(decide)
    }

    private func send() {
        let groups = pending
        pending = [:]
        for (group, decisions) in groups {
            RedisRateLimiter.check(group.buckets, requests: decisions.count, unlessRevoked: group.tokenID, on: redis) { result in
                switch result {
                case .success(let answers?):
                    for (decide, answer) in zip(decisions, answers) { decide(.success(answer)) }
                case .success(nil):
                    for decide in decisions { decide(.success(nil)) }
                case .failure(let error):
                    for decide in decisions { decide(.failure(error)) }
                }
            }
        }
    }
}
