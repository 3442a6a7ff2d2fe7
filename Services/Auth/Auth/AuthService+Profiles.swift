import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// The use cases of public profiles: a user reads and changes their own; Booking reads a provider's for their page;
/// Search hears a provider's name and city.
extension AuthService {
    func profile(of user: UserRecord) async throws -> ProviderProfile {
        try await profiles.find(of: user)
    }

    /// Changes the caller's profile with `fields`; a provider's new city reaches Search.
    func changeProfile(of user: UserRecord, _ fields: ProfileFields) async throws -> ProviderProfile {
        try await transaction { connection in
            let changed = try fields.applied(to: try await profiles.find(of: user, on: connection))
            let version = try await profiles.save(changed, at: clock.now(), on: connection)
            if user.role == .provider { try await announce(changed, version: version, on: connection) }
            return changed
        }
    }

    /// A provider's public profile; 404 for anyone else, and for a disabled account.
    func publicProfile(of id: UUID) async throws -> ProviderProfile {
        guard let user = try await users.find(id: id), user.role == .provider, !user.disabled else { throw Problem.notFound() }
        return try await profiles.find(of: user)
    }

    /// Tells Search the provider's name and city after a change of either, in the caller's transaction.
    func announceProvider(_ user: UserRecord, on connection: PostgresConnection) async throws {
        guard user.role == .provider else { return }
        let version = try await profiles.touch(user.id, at: clock.now(), on: connection)
        try await announce(try await profiles.find(of: user, on: connection), version: version, on: connection)
    }

    private func announce(_ profile: ProviderProfile, version: Int64, on connection: PostgresConnection) async throws {
        let event = SearchFeedEvent(
            kind: .providerChanged, version: version, occurredAt: clock.now(), provider: .init(id: profile.id, name: profile.name, city: profile.city))
        try await Outbox.enqueue(event, on: connection, logger: logger)
    }
}
