import Contracts
import Foundation
import HTTPTypes
import JWTKit
import ServiceKit

/// The use cases of an account: register, sign in, refresh, sign out, change the name or password.
extension AuthService {
    /// Registers a new account and mails the address a verification link; an address taken already gets, at most
    /// once a day, a mail saying someone tried, and the caller learns nothing either way.
    func register(email: EmailAddress, name: String, password: String, role: Role, client: ClientInfo) async throws {
        let hash = try await passwords.hash(password)
        let now = clock.now()
        let user = UserRecord(
            id: UUID.random(), email: email.value, name: name, role: role, passwordHash: hash, emailVerified: false,
            disabled: false, totpSecret: nil, totpEnabled: false, totpLastStep: nil, createdAt: now
        )
        try await transaction { connection in
            if try await users.insert(user, at: now, on: connection) {
                try await audit.record(.registered, userID: user.id, email: user.email, client: client, on: connection)
                try await sendVerification(to: user, on: connection)
                try await announceProvider(user, on: connection)
            } else if let owner = try await users.find(email: email, on: connection) {
                // At most one such mail a day per account, so that the form cannot be used to flood someone.
                let day = Int(now.timeIntervalSince1970 / 86_400)
                try await notify(
                    .registrationAttempt, owner, data: ["link": .string(settings.publicURL.appendingPathComponent("reset-password").absoluteString)],
                    key: "registration-attempt:\(owner.id):\(day)", on: connection
                )
            }
        }
    }

    /// Signs in with a password (and the second factor when it is on), throttled per account and address.
    func signIn(email: EmailAddress, password: String, totpCode: String?, client: ClientInfo) async throws -> TokenPair {
        let now = clock.now()
        let keys = throttleKeys(email.value, client: client)
        try await requireNotLockedOut(keys, at: now)
        let user = try await users.find(email: email)
        guard try await passwords.verify(password, against: user?.passwordHash), let user else {
            try await recordFailedSignIn(keys, userID: user?.id, email: email.value, client: client, reason: "password", now: now)
            throw Problem.unauthorized(Self.failedSignIn, code: "invalid_credentials")
        }
        if user.disabled {
            throw Problem(.forbidden, detail: "This account is disabled.", code: "account_disabled")
        }
        try await requireSecondFactor(totpCode, of: user, keys: keys, client: client, now: now)
        try await attempts.resetFailures(keys.pair)
        return try await transaction { connection in
            try await audit.record(.loginSucceeded, userID: user.id, email: user.email, client: client, on: connection)
            try await keepAccount(of: user, client: client, on: connection)
            return try await sessions.start(for: user, secondFactor: user.totpEnabled, on: connection)
        }
    }

    static let failedSignIn = "The email or password is incorrect."

    /// A new token pair for a refresh token, which is spent; reusing a spent one ends every session of its sign-in.
    func refresh(_ refreshToken: String, client: ClientInfo) async throws -> TokenPair {
        let result = try await transaction { connection in
            let result = try await sessions.rotate(refreshToken, users: users, on: connection)
            if case .failure(.reused(let userID)) = result {
                try await audit.record(.refreshTokenReused, userID: userID, client: client, on: connection)
            }
            return result
        }
        switch result {
        case .success(let pair): return pair
        case .failure(.reused):
            throw Problem.unauthorized("This refresh token was used already; every session of its sign-in has ended.", code: "refresh_token_reused")
        case .failure(.expired): throw Problem.unauthorized("The refresh token has expired.", code: "refresh_token_expired")
        case .failure(.unknown), .failure(.disabled): throw Problem.unauthorized("The refresh token is not valid.", code: "refresh_token_invalid")
        }
    }

    /// Ends the session of the access token `claims` (its token denied until it expires) and, when given, that of
    /// `refreshToken` if it is the user's.
    func signOut(_ userID: UUID, claims: AccessClaims, refreshToken: String?, client: ClientInfo) async throws {
        try await transaction { connection in
            try await revocations.revoke(jti: claims.tokenID, expiresAt: claims.exp.value, on: connection)
            if let family = try await sessions.family(ofAccessToken: claims.tokenID, on: connection) {
                try await sessions.revokeFamily(family, on: connection)
            }
            if let refreshToken, let family = try await sessions.family(ofRefreshToken: refreshToken, userID: userID, on: connection) {
                try await sessions.revokeFamily(family, on: connection)
            }
            try await audit.record(.loggedOut, userID: userID, client: client, on: connection)
        }
    }

    /// Renames the user and/or changes their password (proved with the current one); a new password ends every other
    /// session, keeping the one of `tokenID`, and the user is told by mail.
    func changeAccount(
        of user: UserRecord, name: String?, password: (new: String, current: String)?, tokenID: String?, client: ClientInfo
    ) async throws -> User {
        var newHash: String?
        if let password {
            guard try await passwords.verify(password.current, against: user.passwordHash) else {
                throw Problem.refused("currentPassword", "is incorrect")
            }
            newHash = try await passwords.hash(password.new)
        }
        let now = clock.now()
        return try await transaction { connection in
            if let name { try await users.setName(name, of: user.id, at: now, on: connection) }
            if let newHash {
                try await users.setPasswordHash(newHash, of: user.id, at: now, on: connection)
                let current = if let tokenID { try await sessions.family(ofAccessToken: tokenID, on: connection) } else { UUID?.none }
                try await sessions.revokeAll(of: user.id, keeping: current, on: connection)
                try await audit.record(.passwordChanged, userID: user.id, client: client, on: connection)
                try await notify(.passwordChanged, user, key: "password-changed:\(user.id):\(now.timeIntervalSince1970)", on: connection)
            }
            guard let updated = try await users.find(id: user.id, on: connection) else { throw Problem.unauthorized() }
            if name != nil { try await announceProvider(updated, on: connection) }
            return updated.user
        }
    }
}
