import Foundation
import Logging
import PostgresNIO

/// The `state` of social sign-ins under way: which provider, the PKCE verifier and where the app wants the
/// user back. Single use, ten minutes.
struct OAuthStates: Sendable {
    struct Pending: Sendable {
        var provider: String
        var codeVerifier: String
        var redirectURI: String
    }

    static let lifetime: TimeInterval = 600

    let postgres: PostgresClient
    let logger: Logger

    func save(state: String, _ pending: Pending, at now: Date) async throws {
        try await postgres.query(
            """
            INSERT INTO oauth_states (state_hash, provider, code_verifier, redirect_uri, expires_at)
            VALUES (\(SecretToken.hash(state)), \(pending.provider), \(pending.codeVerifier), \(pending.redirectURI), \(now.addingTimeInterval(Self.lifetime)))
            """,
            logger: logger
        )
        try await postgres.query("DELETE FROM oauth_states WHERE expires_at < \(now)", logger: logger)
    }

    /// Spends `state` if it is live; returns what was saved with it.
    func take(state: String, at now: Date) async throws -> Pending? {
        let rows = try await postgres.query(
            """
            DELETE FROM oauth_states WHERE state_hash = \(SecretToken.hash(state)) AND expires_at > \(now)
            RETURNING provider, code_verifier, redirect_uri
            """,
            logger: logger
        )
        for try await (provider, verifier, redirect) in rows.decode((String, String, String).self) {
            return Pending(provider: provider, codeVerifier: verifier, redirectURI: redirect)
        }
        return nil
    }
}
