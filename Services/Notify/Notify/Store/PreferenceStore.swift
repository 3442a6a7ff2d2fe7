import Contracts
import Foundation
import Logging
import PostgresNIO

/// The `preferences` table: one document per user who changed anything.
struct PreferenceStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The user's preferences, or the defaults.
    func find(_ user: UUID) async throws -> Preferences {
        let rows = try await postgres.query("SELECT settings::text FROM preferences WHERE user_id = \(user)", logger: logger)
        for try await text in rows.decode(String.self) { return Self.decode(text) }
        return Preferences()
    }

    /// Stored settings as preferences; the defaults when there are none (or they no longer decode).
    static func decode(_ settings: String?) -> Preferences {
        settings.flatMap { try? JSONDecoder.mayaGo.decode(Preferences.self, from: Data($0.utf8)) } ?? Preferences()
    }

    func save(_ preferences: Preferences, of user: UUID, at now: Date) async throws {
        let text = String(decoding: try JSONEncoder.mayaGo.encode(preferences), as: UTF8.self)
        try await postgres.query(
            """
            INSERT INTO preferences (user_id, settings, updated_at) VALUES (\(user), \(text)::jsonb, \(now))
            ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
            """,
            logger: logger
        )
    }
}
