import Foundation
import Logging
import PostgresNIO

/// Which local account a social sign-in subject (`google`/`1234…`) belongs to.
struct IdentityLinks: Sendable {
    let logger: Logger

    func user(provider: String, subject: String, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query(
            "SELECT user_id FROM identity_links WHERE provider = \(provider) AND subject = \(subject)",
            logger: logger
        )
        for try await userID in rows.decode(UUID.self) { return userID }
        return nil
    }

    func link(provider: String, subject: String, to userID: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO identity_links (provider, subject, user_id, created_at) VALUES (\(provider), \(subject), \(userID), \(now))
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }
}
