import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Security events, kept for admins to read (`GET /api/v1/auth/admin/audit`).
struct AuditLog: Sendable {
    enum EventType: String, Codable, Sendable {
        case registered
        case loginSucceeded = "login_succeeded"
        case loginFailed = "login_failed"
        case lockedOut = "locked_out"
        case passwordChanged = "password_changed"
        case passwordReset = "password_reset"
        case emailVerified = "email_verified"
        case emailChangeRequested = "email_change_requested"
        case emailChanged = "email_changed"
        case twoFactorEnabled = "two_factor_enabled"
        case twoFactorDisabled = "two_factor_disabled"
        case recoveryCodeUsed = "recovery_code_used"
        case roleChanged = "role_changed"
        case accountDisabled = "account_disabled"
        case accountEnabled = "account_enabled"
        case apiKeyCreated = "api_key_created"
        case apiKeyRevoked = "api_key_revoked"
        case apiKeyRotated = "api_key_rotated"
        case refreshTokenReused = "refresh_token_reused"
        case loggedOut = "logged_out"
        case signingKeyRotated = "signing_key_rotated"
        case socialSignIn = "social_sign_in"
        case unverifiedCredentialsCleared = "unverified_credentials_cleared"
        /// An admin's action in another service (``AdminAction``).
        case adminAction = "admin_action"
        case accountDeletionRequested = "account_deletion_requested"
        case accountDeletionCancelled = "account_deletion_cancelled"
        case accountErased = "account_erased"
    }

    struct Event: Codable, Sendable, Equatable {
        var id: Int64
        var type: EventType
        var userId: UUID?
        var email: String?
        var ip: String?
        var userAgent: String?
        var detail: String?
        var occurredAt: Date
    }

    let postgres: PostgresClient
    let logger: Logger
    let clock: WallClock

    func record(
        _ type: EventType,
        userID: UUID?,
        email: String? = nil,
        client: ClientInfo,
        detail: String? = nil,
        on connection: PostgresConnection? = nil
    ) async throws {
        let query: PostgresQuery = """
            INSERT INTO audit_events (type, user_id, email, ip, user_agent, detail, occurred_at)
            VALUES (\(type.rawValue), \(userID), \(email), \(client.address), \(client.userAgent), \(detail), \(clock.now()))
            """
        try await postgres.query(query, on: connection, logger: logger)
    }

    /// Newest first, those of `userID` if given, before the event id `cursor`.
    func events(userID: UUID?, before cursor: Int64?, limit: Int) async throws -> [Event] {
        let rows = try await postgres.query(
            """
            SELECT id, type, user_id, email, ip, user_agent, detail, occurred_at FROM audit_events
            WHERE (\(userID)::uuid IS NULL OR user_id = \(userID)) AND (\(cursor)::bigint IS NULL OR id < \(cursor))
            ORDER BY id DESC LIMIT \(limit)
            """,
            logger: logger
        )
        var events: [Event] = []
        for try await (id, type, user, email, ip, agent, detail, at) in rows.decode(
            (Int64, String, UUID?, String?, String?, String?, String?, Date).self
        ) {
            guard let type = EventType(rawValue: type) else { continue }
            events.append(Event(id: id, type: type, userId: user, email: email, ip: ip, userAgent: agent, detail: detail, occurredAt: at))
        }
        return events
    }
}
