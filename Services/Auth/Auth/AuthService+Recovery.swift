import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// Email verification and password reset, each by a single-use, expiring token sent by mail through Notify.
extension AuthService {
    /// Mails a new verification link, unless the address is verified already.
    func requestVerification(for user: UserRecord) async throws {
        guard !user.emailVerified else { return }
        try await transaction { connection in try await sendVerification(to: user, on: connection) }
    }

    /// Spends a verification token: its user's address is verified.
    func verifyEmail(token: String, client: ClientInfo) async throws -> User {
        let now = clock.now()
        return try await transaction { connection in
            guard let userID = try await oneTimeTokens.redeem(token, purpose: .verifyEmail, at: now, on: connection),
                let user = try await users.find(id: userID, on: connection, forUpdate: true)
            else { throw Self.invalidToken }
            try await users.markEmailVerified(userID, at: now, on: connection)
            try await audit.record(.emailVerified, userID: userID, client: client, on: connection)
            var verified = user.user
            verified.emailVerified = true
            return verified
        }
    }

    /// Mails a reset link to the address's account, if it has one that is not disabled.
    func requestPasswordReset(for email: EmailAddress) async throws {
        guard let user = try await users.find(email: email), !user.disabled else { return }
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(settings.resetTokenLifetime)
        try await transaction { connection in
            let token = try await oneTimeTokens.issue(.resetPassword, for: user.id, at: now, expiresAt: expiresAt, on: connection)
            try await notify(
                .passwordReset,
                user,
                data: ["link": .string(link("reset-password", token: token)), "expiresAt": .string(ISO8601Format.string(expiresAt))],
                key: "password-reset:\(SecretToken.hash(token))",
                on: connection
            )
        }
    }

    /// Spends a reset token: the new password is set, every session ends, the lockouts of the account lift.
    func resetPassword(token: String, to password: String, client: ClientInfo) async throws {
        let now = clock.now()
        // The policy needs the account's email and name, which the token names; check the token first without
        // spending it, hash outside the transaction (a quarter of a second), then spend it.
        guard let owner = try await postgres.withConnection({ try await oneTimeTokens.owner(of: token, purpose: .resetPassword, at: now, on: $0) }),
            let user = try await users.find(id: owner)
        else { throw Self.invalidToken }
        var validator = Validator()
        validator.note(passwords.policy.problem(with: password, email: user.email, name: user.name), "password")
        try validator.validate()
        let hash = try await passwords.hash(password)
        try await transaction { connection in
            guard try await oneTimeTokens.redeem(token, purpose: .resetPassword, at: now, on: connection) == user.id else {
                throw Self.invalidToken
            }
            try await users.setPasswordHash(hash, of: user.id, at: now, on: connection)
            try await sessions.revokeAll(of: user.id, on: connection)
            try await audit.record(.passwordReset, userID: user.id, client: client, on: connection)
            try await notify(.passwordChanged, user, key: "password-changed:\(user.id):\(now.timeIntervalSince1970)", on: connection)
        }
        try await attempts.unlock(SignInKeys(email: user.email, address: nil))
    }

    static let invalidToken = Problem(
        .unprocessableContent,
        detail: "The link is invalid, used or expired. Ask for a new one.",
        code: "token_invalid",
        errors: [FieldError(field: "token", message: "is invalid, used or expired")]
    )

    /// Queues a verification mail for `user`, in the caller's transaction.
    func sendVerification(to user: UserRecord, on connection: PostgresConnection) async throws {
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(settings.emailTokenLifetime)
        let token = try await oneTimeTokens.issue(.verifyEmail, for: user.id, at: now, expiresAt: expiresAt, on: connection)
        try await notify(
            .emailVerification,
            user,
            data: ["link": .string(link("verify-email", token: token)), "expiresAt": .string(ISO8601Format.string(expiresAt))],
            key: "email-verification:\(SecretToken.hash(token))",
            on: connection
        )
    }
}
