import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// The user's API keys, and who a key belongs to when the gateway asks.
extension AuthService {
    /// A new key (shown once), within the user's quota of live keys.
    func createAPIKey(for user: UserRecord, name: String, scopes: [APIKeyScope], client: ClientInfo) async throws -> APIKeys.Created {
        let live = try await apiKeys.list(of: user.id).filter { $0.revokedAt == nil }
        let maximum = settings.maximumAPIKeys
        guard live.count < maximum else {
            throw Problem(
                .conflict, detail: "At most \(maximum) live API keys: revoke one before creating another.", code: "quota_exceeded",
                errors: [FieldError(field: "name", message: "at most \(maximum) live API keys")])
        }
        return try await transaction { connection in
            let created = try await apiKeys.create(
                for: user.id, name: name, scopes: Array(Set(scopes)).sorted { $0.rawValue < $1.rawValue }, at: clock.now(), on: connection
            )
            try await audit.record(.apiKeyCreated, userID: user.id, client: client, detail: created.id.lowercasedString, on: connection)
            return created
        }
    }

    func apiKeys(of user: UserRecord) async throws -> [APIKeys.Key] {
        try await apiKeys.list(of: user.id)
    }

    /// Revokes one of the user's keys; 404 for anyone else's.
    func revokeAPIKey(_ id: UUID, of user: UserRecord, client: ClientInfo) async throws {
        try await transaction { connection in
            guard try await apiKeys.find(id, of: user.id, on: connection) != nil else { throw Problem.notFound() }
            try await apiKeys.revoke(id, at: clock.now(), on: connection)
            try await audit.record(.apiKeyRevoked, userID: user.id, client: client, detail: id.lowercasedString, on: connection)
        }
    }

    /// A new key with the same name and scopes as a live one of the user's, which stops working.
    func rotateAPIKey(_ id: UUID, of user: UserRecord, client: ClientInfo) async throws -> APIKeys.Created {
        try await transaction { connection in
            guard let key = try await apiKeys.find(id, of: user.id, on: connection), key.revokedAt == nil else { throw Problem.notFound() }
            let now = clock.now()
            try await apiKeys.revoke(id, at: now, on: connection)
            let created = try await apiKeys.create(for: user.id, name: key.name, scopes: key.scopes, at: now, on: connection)
            try await audit.record(
                .apiKeyRotated, userID: user.id, client: client, detail: "\(id.lowercasedString) -> \(created.id.lowercasedString)",
                on: connection)
            return created
        }
    }

    /// Who `key` belongs to and a short-lived access token in its place; 404 for a key that is unknown or revoked,
    /// or whose owner is disabled or an admin (keys never carry that power).
    func introspect(_ key: String, tokenLifetime: TimeInterval) async throws -> APIKeyIntrospection {
        guard key.hasPrefix("mgk_"), key.utf8.count <= 200,
            let (userID, scopes) = try await apiKeys.use(key, at: clock.now()),
            let user = try await users.find(id: userID), !user.disabled, user.role != .admin
        else { throw Problem.notFound("No such API key.") }
        let access = try await sessions.accessToken(userID: user.id, role: user.role, lifetime: tokenLifetime, methods: [AccessClaims.apiKeyMethod])
        return APIKeyIntrospection(userId: user.id, role: user.role, scopes: scopes, accessToken: access.token, expiresIn: Int(tokenLifetime))
    }

    /// How other services reach a user.
    func contact(of id: UUID) async throws -> UserContact {
        guard let contact = try await users.contacts(of: [id]).first else { throw Problem.notFound() }
        return contact
    }

    /// How other services reach each of `ids` that is a user.
    func contacts(of ids: [UUID]) async throws -> UserContacts {
        UserContacts(contacts: try await users.contacts(of: ids))
    }
}
