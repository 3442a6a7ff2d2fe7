import Contracts
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit

/// A phone or browser that takes push notices.
struct Device: ResponseCodable, Sendable, Equatable {
    enum Platform: String, Codable, CaseIterable, Sendable {
        case ios, android, web
    }

    var id: UUID
    var platform: Platform
    var token: String
    var createdAt: Date
}

/// The `devices` table. A token belongs to the user who registered it last (a shared tablet changes hands).
struct Devices: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Registers `token` for `user` (again, if it is theirs already); `nil` when another user has it, whose device
    /// it stays: a token is never moved from one account to another on someone's word.
    func register(_ token: String, platform: Device.Platform, of user: UUID, at now: Date) async throws -> Device? {
        let rows = try await postgres.query(
            """
            INSERT INTO devices (id, user_id, platform, token, created_at) VALUES (\(UUID.random()), \(user), \(platform.rawValue), \(token), \(now))
            ON CONFLICT (token) DO UPDATE SET platform = excluded.platform WHERE devices.user_id = excluded.user_id
            RETURNING id, created_at
            """,
            logger: logger
        )
        for try await (id, createdAt) in rows.decode((UUID, Date).self) {
            return Device(id: id, platform: platform, token: token, createdAt: createdAt)
        }
        return nil
    }

    /// Whether the user had that device.
    func remove(_ id: UUID, of user: UUID) async throws -> Bool {
        let rows = try await postgres.query("DELETE FROM devices WHERE id = \(id) AND user_id = \(user) RETURNING id", logger: logger)
        return try await rows.returnedARow()
    }

    /// A token the push provider says is gone.
    func forget(_ token: String) async throws {
        try await postgres.query("DELETE FROM devices WHERE token = \(token)", logger: logger)
    }

    /// The device tokens of each of `users`, oldest first; users with none are absent.
    func tokens(of users: Set<UUID>) async throws -> [UUID: [String]] {
        let rows = try await postgres.query(
            "SELECT user_id, token FROM devices WHERE user_id = ANY(\(Array(users))) ORDER BY user_id, created_at", logger: logger)
        var tokens: [UUID: [String]] = [:]
        for try await (user, token) in rows.decode((UUID, String).self) { tokens[user, default: []].append(token) }
        return tokens
    }
}
