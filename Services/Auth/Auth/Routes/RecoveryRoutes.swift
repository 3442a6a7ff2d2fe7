import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit

/// Email verification and password reset, each by a single-use, expiring token sent by mail through Notify.
struct RecoveryRoutes {
    let auth: AuthService

    struct TokenBody: Decodable {
        var token: String
    }

    struct ResetRequest: Decodable {
        var email: String
    }

    struct Reset: Decodable {
        var token: String
        var password: String
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth")
        group.post("verify-email/request", use: requestVerification)
        group.post("verify-email", use: verifyEmail)
        group.post("password-reset/request", use: requestReset)
        group.post("password-reset", use: reset)
    }

    /// 202 whether or not a mail goes out (none when the address is verified already).
    @Sendable func requestVerification(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        if !user.emailVerified {
            try await auth.transaction { connection in try await auth.sendVerification(to: user, on: connection) }
        }
        return Response(status: .accepted)
    }

    @Sendable func verifyEmail(_ request: Request, context: ServiceRequestContext) async throws -> User {
        let body = try await request.decode(as: TokenBody.self, context: context)
        let client = ClientInfo(request, context: context)
        let now = auth.clock.now()
        return try await auth.transaction { connection in
            guard let userID = try await auth.oneTimeTokens.redeem(body.token, purpose: .verifyEmail, at: now, on: connection),
                  let user = try await auth.users.find(id: userID, on: connection, forUpdate: true)
            else { throw Self.invalidToken }
            try await auth.users.markEmailVerified(userID, at: now, on: connection)
            try await auth.audit.record(.emailVerified, userID: userID, client: client, on: connection)
            var verified = user.user
            verified.emailVerified = true
            return verified
        }
    }

    /// Always 202, so that the answer does not tell whether the email has an account.
    @Sendable func requestReset(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: ResetRequest.self, context: context)
        guard let email = EmailAddress(body.email) else { throw Problem.invalid("email", "must be an email address") }
        if let user = try await auth.users.find(email: email), !user.disabled {
            let now = auth.clock.now()
            let expiresAt = now.addingTimeInterval(auth.settings.resetTokenLifetime)
            try await auth.transaction { connection in
                let token = try await auth.oneTimeTokens.issue(.resetPassword, for: user.id, at: now, expiresAt: expiresAt, on: connection)
                try await auth.notify(
                    .passwordReset,
                    user,
                    data: ["link": .string(auth.link("reset-password", token: token)), "expiresAt": .string(expiresAt.formatted(ISO8601Format.withFractionalSeconds))],
                    key: "password-reset:\(SecretToken.hash(token))",
                    on: connection
                )
            }
        }
        return Response(status: .accepted)
    }

    /// Sets the new password and ends every session of the user.
    @Sendable func reset(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: Reset.self, context: context)
        let client = ClientInfo(request, context: context)
        let now = auth.clock.now()
        // The policy needs the account's email and name, which the token names; check the token first without
        // spending it, hash outside the transaction (a quarter of a second), then spend it.
        guard let owner = try await auth.postgres.withConnection({ connection in
            try await auth.oneTimeTokens.owner(of: body.token, purpose: .resetPassword, at: now, on: connection)
        }), let user = try await auth.users.find(id: owner) else { throw Self.invalidToken }
        var validator = Validator()
        validator.note(auth.passwords.policy.problem(with: body.password, email: user.email, name: user.name), "password")
        try validator.validate()
        let hash = try await auth.passwords.hash(body.password)
        try await auth.transaction { connection in
            guard try await auth.oneTimeTokens.redeem(body.token, purpose: .resetPassword, at: now, on: connection) == user.id else {
                throw Self.invalidToken
            }
            try await auth.users.setPasswordHash(hash, of: user.id, at: now, on: connection)
            try await auth.sessions.revokeAll(of: user.id, on: connection)
            try await auth.audit.record(.passwordReset, userID: user.id, client: client, on: connection)
            try await auth.notify(.passwordChanged, user, key: "password-changed:\(user.id):\(now.timeIntervalSince1970)", on: connection)
        }
        try await auth.attempts.unlock(SignInKeys(email: user.email, address: nil))
        return Response(status: .noContent)
    }

    static let invalidToken = Problem(
        .unprocessableContent,
        detail: "The link is invalid, used or expired. Ask for a new one.",
        code: "token_invalid",
        errors: [FieldError(field: "token", message: "is invalid, used or expired")]
    )
}

extension AuthService {
    /// Queues a verification mail for `user`, in the caller's transaction.
    func sendVerification(to user: UserRecord, on connection: PostgresConnection) async throws {
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(settings.emailTokenLifetime)
        let token = try await oneTimeTokens.issue(.verifyEmail, for: user.id, at: now, expiresAt: expiresAt, on: connection)
        try await notify(
            .emailVerification,
            user,
            data: ["link": .string(link("verify-email", token: token)), "expiresAt": .string(expiresAt.formatted(ISO8601Format.withFractionalSeconds))],
            key: "email-verification:\(SecretToken.hash(token))",
            on: connection
        )
    }
}
