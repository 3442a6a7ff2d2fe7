import Foundation
import HTTPTypes
import ServiceKit

/// The checks every way of signing in shares (password, social sign-in): lockouts per account and client address,
/// per address and per account, and the second factor.
extension AuthService {
    /// The throttle keys of a sign-in to `email` from `client`.
    func throttleKeys(_ email: String, client: ClientInfo) -> SignInKeys {
        SignInKeys(email: email, address: client.address)
    }

    /// 429 with `Retry-After` while this client may not try this account: the account is locked for this address,
    /// the address is locked, or the account is locked everywhere and this address is one that failed on it (or
    /// is unknown). A locked account thus stops the addresses guessing at it, never its owner elsewhere.
    func requireNotLockedOut(_ keys: SignInKeys, at now: Date) async throws {
        for key in [keys.pair, keys.address].compactMap({ $0 }) {
            if let until = try await attempts.lockedUntil(key, at: now) { throw Self.lockedOut(until: until, now: now) }
        }
        if let until = try await attempts.lockedUntil(keys.account, at: now) {
            let failedHere = keys.address == nil ? true : try await attempts.hasFailures(keys.pair)
            if failedHere { throw Self.lockedOut(until: until, now: now) }
        }
    }

    /// Counts a failed sign-in on every key and audits it, and a lockout when one begins.
    func recordFailedSignIn(_ keys: SignInKeys, userID: UUID?, email: String, client: ClientInfo, reason: String, now: Date) async throws {
        let throttled =
            [(keys.pair, settings.accountThrottle), (keys.account, settings.accountWideThrottle)]
            + (keys.address.map { [($0, settings.addressThrottle)] } ?? [])
        for (key, throttle) in throttled {
            let state = try await attempts.recordFailure(key, throttle: throttle, at: now)
            if state.lockedUntil.map({ $0 > now && state.failures == 0 }) == true {
                try await audit.record(.lockedOut, userID: userID, email: email, client: client, detail: key)
            }
        }
        try await audit.record(.loginFailed, userID: userID, email: email, client: client, detail: reason)
    }

    /// When `user` has TOTP on, `code` must be its current code or an unused recovery code; a wrong one counts as a
    /// failed sign-in on `keys`.
    func requireSecondFactor(_ code: String?, of user: UserRecord, keys: SignInKeys, client: ClientInfo, now: Date) async throws {
        guard user.totpEnabled else { return }
        guard let code, !code.isEmpty else {
            throw Problem.unauthorized("A two-factor code is required.", code: "totp_required")
        }
        guard try await acceptSecondFactor(code, of: user, client: client) else {
            try await recordFailedSignIn(keys, userID: user.id, email: user.email, client: client, reason: "totp", now: now)
            throw Problem.unauthorized("The two-factor code is incorrect.", code: "totp_invalid")
        }
    }

    /// A locked sign-in: 429 with `Retry-After`, saying nothing about the password.
    static func lockedOut(until: Date, now: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(
            .tooManyRequests,
            detail: "Too many failed sign-ins. Try again later.",
            code: "login_locked",
            headers: [.retryAfter: String(seconds)]
        )
    }
}
