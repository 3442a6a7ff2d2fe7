import Contracts
import Foundation
import Logging
import NIOHTTP1
import ServiceKit

/// Users' addresses, from Auth's internal routes, kept for a minute so that a burst of notices to one user asks
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
        try await contacts(of: [user])[user] ?? nil
    }

    /// The contacts of `users`: those not kept are asked of Auth in one call (a batch's recipients), rather than a
    /// call each.
    func contacts(of users: Set<UUID>) async throws -> [UUID: UserContact?] {
        let now = clock.now()
        var found: [UUID: UserContact?] = [:]
        var missing: [UUID] = []
        for user in users {
            if let cached = cache[user], cached.until > now { found[user] = cached.contact } else { missing.append(user) }
        }
        guard !missing.isEmpty else { return found }
        let asked = try await lookUp(missing)
        for user in missing {
            let contact = asked[user]
            cache[user] = (contact, now.addingTimeInterval(60))
            found[user] = contact
        }
        return found
    }

    /// `users`' contacts from Auth, by id: a batch in one call, or each alone (one user, or an Auth without the batch
    /// route, during a deploy that updates Notify first).
    private func lookUp(_ users: [UUID]) async throws -> [UUID: UserContact] {
        guard users.count > 1 else { return try await lookUpEach(users) }
        do {
            let answer = try await client.send(UserContacts.Request(ids: users), requestID: nil, logger: logger, as: UserContacts.self)
            return Dictionary(answer.contacts.map { ($0.id, $0) }) { first, _ in first }
        } catch let error as InternalClient.UnexpectedStatus where error.status == 404 || error.status == 405 {
            return try await lookUpEach(users)
        }
    }

    /// `users`' contacts, a lookup each, kept under the id asked.
    private func lookUpEach(_ users: [UUID]) async throws -> [UUID: UserContact] {
        var contacts: [UUID: UserContact] = [:]
        for user in users {
            if let contact = try await client.lookUp(UserContact.self, id: user, logger: logger) { contacts[user] = contact }
        }
        return contacts
    }
}
