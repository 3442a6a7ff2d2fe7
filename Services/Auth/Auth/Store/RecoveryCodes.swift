import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Ten single-use recovery codes per user with 2FA, stored hashed, for when the authenticator is lost.
struct RecoveryCodes: Sendable {
    static let count = 10

    let logger: Logger

    /// Replaces the user's codes with new ones and returns them (shown once).
    func regenerate(for userID: UUID, on connection: PostgresConnection) async throws -> [String] {
        let codes = (0..<Self.count).map { _ in SecretToken.recoveryCode() }
        try await connection.query("DELETE FROM recovery_codes WHERE user_id = \(userID)", logger: logger)
        for code in codes {
            try await connection.query(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (\(userID), \(SecretToken.hash(code)))",
                logger: logger
            )
        }
        return codes
    }

    /// Spends `code` if it is an unused code of `userID`.
    func redeem(_ code: String, of userID: UUID, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let normalised = code.lowercased().filter { !$0.isWhitespace }
        let rows = try await connection.query(
            """
            UPDATE recovery_codes SET used_at = \(now)
            WHERE user_id = \(userID) AND code_hash = \(SecretToken.hash(normalised)) AND used_at IS NULL RETURNING user_id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    func removeAll(of userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM recovery_codes WHERE user_id = \(userID)", logger: logger)
    }
}
