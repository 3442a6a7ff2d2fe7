import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// API keys for programmatic access: `mgk_<prefix>_<secret>`, shown once, stored as a SHA-256; the prefix stays
/// readable so that a person can tell keys apart in a list.
struct APIKeys: Sendable {
    struct Key: Codable, Sendable, Equatable {
        var id: UUID
        var name: String
        var prefix: String
        var scopes: [APIKeyScope]
        var createdAt: Date
        var lastUsedAt: Date?
        var revokedAt: Date?
    }

    /// A key as it is shown once, at creation or rotation.
    struct Created: Codable, Sendable {
        var id: UUID
        var name: String
        var prefix: String
        var scopes: [APIKeyScope]
        var createdAt: Date
        var key: String
    }

    let postgres: PostgresClient
    let logger: Logger

    func create(for userID: UUID, name: String, scopes: [APIKeyScope], at now: Date, on connection: PostgresConnection) async throws -> Created {
        let prefix = String(SecretToken.make(bytes: 6).prefix(8))
        let key = "mgk_\(prefix)_\(SecretToken.make())"
        let id = UUID.random()
        let scopeNames = scopes.map(\.rawValue)
        try await connection.query(
            """
            INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at)
            VALUES (\(id), \(userID), \(name), \(prefix), \(SecretToken.hash(key)), \(scopeNames), \(now))
            """,
            logger: logger
        )
        return Created(id: id, name: name, prefix: prefix, scopes: scopes, createdAt: now, key: key)
    }

    func list(of userID: UUID) async throws -> [Key] {
        try await keys(
            "SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys WHERE user_id = \(userID) ORDER BY created_at DESC",
            on: nil
        )
    }

    /// The key `id` of `userID`, locked for a change.
    func find(_ id: UUID, of userID: UUID, on connection: PostgresConnection) async throws -> Key? {
        try await keys(
            "SELECT id, name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys WHERE id = \(id) AND user_id = \(userID) FOR UPDATE",
            on: connection
        ).first
    }

    func revoke(_ id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE api_keys SET revoked_at = \(now) WHERE id = \(id) AND revoked_at IS NULL", logger: logger)
    }

    func revokeAll(of userID: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE api_keys SET revoked_at = \(now) WHERE user_id = \(userID) AND revoked_at IS NULL", logger: logger)
    }

    /// The owner and scopes of a live `key`, noting its use.
    func use(_ key: String, at now: Date) async throws -> (userID: UUID, scopes: [APIKeyScope])? {
        let rows = try await postgres.query(
            """
            UPDATE api_keys SET last_used_at = \(now)
            WHERE key_hash = \(SecretToken.hash(key)) AND revoked_at IS NULL RETURNING user_id, scopes
            """,
            logger: logger
        )
        for try await (userID, scopes) in rows.decode((UUID, [String]).self) {
            return (userID, scopes.compactMap(APIKeyScope.init(rawValue:)))
        }
        return nil
    }

    private func keys(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [Key] {
        let rows = try await postgres.query(query, on: connection, logger: logger)
        var keys: [Key] = []
        for try await (id, name, prefix, scopes, created, used, revoked) in rows.decode((UUID, String, String, [String], Date, Date?, Date?).self) {
            keys.append(
                Key(
                    id: id, name: name, prefix: prefix, scopes: scopes.compactMap(APIKeyScope.init(rawValue:)), createdAt: created, lastUsedAt: used,
                    revokedAt: revoked))
        }
        return keys
    }
}
