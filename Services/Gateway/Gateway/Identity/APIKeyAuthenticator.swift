import Contracts
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOHTTP1
import ServiceKit

/// `Authorization: ApiKey <key>`: Auth's introspection says whose key it is and hands a short-lived access token,
/// which the gateway forwards in the key's place. Answers are cached briefly (a revoked key stops working within
/// `ttl`), refusals for a few seconds so that a bad key cannot make every request a call to Auth.
struct APIKeyAuthenticator: Sendable {
    enum Outcome: Sendable {
        case accepted(APIKeyIntrospection)
        case refused
    }

    let client: InternalClient
    let logger: Logger
    var ttl: TimeInterval = 60
    var refusalTTL: TimeInterval = 5
    private let cache = NIOLockedValueBox(BoundedCache<String, (outcome: Outcome, until: Date)>(limit: cacheSize))
    static let cacheSize = 10_000

    init(client: InternalClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Who `key` belongs to, or `.refused`; throws when Auth cannot be asked.
    func authenticate(_ key: String, requestID: String) async throws -> Outcome {
        let cacheKey = SHA256.hash(data: Data(key.utf8)).hexString
        let now = Date()
        if let cached = cache.withLockedValue({ $0[cacheKey] }), cached.until > now { return cached.outcome }
        let outcome: Outcome
        let until: Date
        do {
            let answer = try await client.send(APIKeyIntrospection.Request(key: key), requestID: requestID, logger: logger, as: APIKeyIntrospection.self)
            outcome = .accepted(answer)
            // Never past the token's own expiry, with room for the request to reach its service.
            until = now.addingTimeInterval(min(ttl, TimeInterval(answer.expiresIn) - 30))
        } catch let error as InternalClient.UnexpectedStatus where error.status == 404 {
            outcome = .refused
            until = now.addingTimeInterval(refusalTTL)
        }
        cache.withLockedValue { $0[cacheKey] = (outcome, until) }
        return outcome
    }
}
