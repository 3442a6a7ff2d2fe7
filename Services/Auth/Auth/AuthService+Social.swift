import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// Social sign-in (see ``SocialRoutes`` for the flow): the pending flow by its `state`, the account of a provider's
/// profile, and the one-time code the app trades for tokens.
extension AuthService {
    /// How long the app has to trade a sign-in code for tokens.
    static let signInCodeLifetime: TimeInterval = 120

    /// Remembers a flow the browser starts, by its `state`.
    func beginSocialSignIn(state: String, _ pending: OAuthStates.Pending) async throws {
        try await oauthStates.save(state: state, pending, at: clock.now())
    }

    /// The flow `state` names, once: a state is spent by the callback that brings it.
    func pendingSocialSignIn(state: String) async throws -> OAuthStates.Pending? {
        try await oauthStates.take(state: state, at: clock.now())
    }

    /// Finds the account of `profile` (by link, then by verified email) or makes one; returns a sign-in code.
    func socialSignIn(_ provider: String, _ profile: OAuthProvider.Profile, client: ClientInfo) async throws -> String {
        let now = clock.now()
        return try await transaction { connection in
            var user: UserRecord?
            if let linked = try await identityLinks.user(provider: provider, subject: profile.subject, on: connection) {
                user = try await users.find(id: linked, on: connection)
            } else {
                guard let email = profile.email.flatMap(EmailAddress.init) else {
                    throw Problem(.badRequest, detail: "The provider shared no email address.", code: "email_missing")
                }
                let account: UserRecord
                if let existing = try await users.find(email: email, on: connection) {
                    // Only an address the provider verified may take over an existing account.
                    guard profile.emailVerified else { throw Problem.conflict("Sign in with your password first.", code: "email_unverified") }
                    if !existing.emailVerified {
                        // Whoever registered this address never proved it is theirs, and the provider says it is this
                        // person's: what the registrant set (password, 2FA, API keys, sessions) goes, or they could
                        // sign in to the owner's account later (pre-hijacking).
                        try await users.clearCredentials(of: existing.id, at: now, on: connection)
                        try await recoveryCodes.removeAll(of: existing.id, on: connection)
                        try await apiKeys.revokeAll(of: existing.id, at: now, on: connection)
                        try await sessions.revokeAll(of: existing.id, on: connection)
                        try await users.markEmailVerified(existing.id, at: now, on: connection)
                        try await audit.record(
                            .unverifiedCredentialsCleared, userID: existing.id, email: existing.email, client: client, detail: provider, on: connection)
                    }
                    account = try await users.find(id: existing.id, on: connection) ?? existing
                } else {
                    let name = profile.name?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(100)
                    account = UserRecord(
                        id: UUID.random(), email: email.value, name: name.map(String.init) ?? String(email.value.prefix { $0 != "@" }), role: .traveler,
                        passwordHash: nil, emailVerified: profile.emailVerified, disabled: false, totpSecret: nil, totpEnabled: false,
                        totpLastStep: nil, createdAt: now
                    )
                    guard try await users.insert(account, at: now, on: connection) else { throw Problem.conflict("Try again.") }
                    try await audit.record(.registered, userID: account.id, email: account.email, client: client, detail: provider, on: connection)
                }
                try await identityLinks.link(provider: provider, subject: profile.subject, to: account.id, at: now, on: connection)
                user = account
            }
            guard let user, !user.disabled else { throw Problem(.forbidden, detail: "This account is disabled.", code: "account_disabled") }
            try await audit.record(.socialSignIn, userID: user.id, email: user.email, client: client, detail: provider, on: connection)
            return try await oneTimeTokens.issue(.signIn, for: user.id, at: now, expiresAt: now.addingTimeInterval(Self.signInCodeLifetime), on: connection)
        }
    }

    /// Trades a sign-in code for tokens. The second factor is asked for before the code is spent, so that the app
    /// can ask the user and retry.
    func exchangeSignInCode(_ code: String, totpCode: String?, client: ClientInfo) async throws -> TokenPair {
        let invalid = Problem(
            .unprocessableContent, detail: "The sign-in code is invalid, used or expired.", code: "token_invalid",
            errors: [FieldError(field: "code", message: "is invalid, used or expired")])
        let now = clock.now()
        guard let owner = try await postgres.withConnection({ try await oneTimeTokens.owner(of: code, purpose: .signIn, at: now, on: $0) }),
            let user = try await users.find(id: owner), !user.disabled
        else { throw invalid }
        let keys = throttleKeys(user.email, client: client)
        try await requireNotLockedOut(keys, at: now)
        try await requireSecondFactor(totpCode, of: user, keys: keys, client: client, now: now)
        return try await transaction { connection in
            guard try await oneTimeTokens.redeem(code, purpose: .signIn, at: now, on: connection) == user.id else { throw invalid }
            try await keepAccount(of: user, client: client, on: connection)
            return try await sessions.start(for: user, secondFactor: false, on: connection)
        }
    }
}
