import Contracts
import Foundation
import Logging
import NIOHTTP1
import ServiceKit

/// Users' addresses, from Auth's internal route, kept for a minute so that a burst of notices to one user asks
/// Auth once. `nil` for a user Auth does not know.
actor ContactBook {
    private let client: InternalClient
    private let logger: Logger
    private let clock: WallClock
    private var cache = BoundedCache<UUID, (contact: UserContact?, until: Date)>(limit: 10_000)

    init(client: InternalClient, logger: Logger, clock: WallClock) {
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    func contact(_ user: UUID) async throws -> UserContact? {
        let now = clock.now()
        if let cached = cache[user], cached.until > now { return cached.contact }
        let contact = try await client.lookUp(UserContact.self, id: user, logger: logger)
        cache[user] = (contact, now.addingTimeInterval(60))
        return contact
    }
}
