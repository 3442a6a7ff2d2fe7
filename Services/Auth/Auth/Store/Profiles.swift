import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `profiles` table: what a user shows the public beside their name. A user without a row has an empty profile.
struct Profiles: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The profile of `user`, empty if they never wrote one.
    func find(of user: UserRecord, on connection: PostgresConnection? = nil) async throws -> ProviderProfile {
        let query: PostgresQuery = """
            SELECT p.bio_en, p.bio_es, coalesce(p.languages, '{}'), p.city, a.ready_version
            FROM (SELECT \(user.id)::uuid AS id) u LEFT JOIN profiles p ON p.user_id = u.id LEFT JOIN avatars a ON a.user_id = u.id
            """
        let rows = try await postgres.query(query, on: connection, logger: logger)
        var profile = ProviderProfile(id: user.id, name: user.name, bio: LocalizedText(), languages: [], city: nil, avatarUrl: nil, memberSince: user.createdAt)
        for try await (en, es, languages, city, avatar) in rows.decode((String?, String?, [String], String?, Int64?).self) {
            profile.bio = LocalizedText(en: en, es: es)
            profile.languages = languages
            profile.city = city
            profile.avatarUrl = avatar.map { AvatarFiles.url(user.id, version: $0) }
        }
        return profile
    }

    /// Writes `profile`'s own fields and bumps its version; returns the new version.
    func save(_ profile: ProviderProfile, at now: Date, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO profiles (user_id, bio_en, bio_es, languages, city, updated_at)
            VALUES (\(profile.id), \(profile.bio.en), \(profile.bio.es), \(profile.languages), \(profile.city), \(now))
            ON CONFLICT (user_id) DO UPDATE SET bio_en = excluded.bio_en, bio_es = excluded.bio_es, languages = excluded.languages,
                city = excluded.city, version = profiles.version + 1, updated_at = excluded.updated_at
            RETURNING version
            """,
            logger: logger
        )
        for try await version in rows.decode(Int64.self) { return version }
        return 1
    }

    /// Bumps the version of `userID`'s profile (made empty if missing), when something Search indexes changed
    /// outside it (the name); returns the new version.
    func touch(_ userID: UUID, at now: Date, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO profiles (user_id, updated_at) VALUES (\(userID), \(now))
            ON CONFLICT (user_id) DO UPDATE SET version = profiles.version + 1, updated_at = excluded.updated_at
            RETURNING version
            """,
            logger: logger
        )
        for try await version in rows.decode(Int64.self) { return version }
        return 1
    }
}
