import Foundation
import HTTPTypes
import ServiceKit

/// The checks every way of signing in shares (password, social sign-in): lockouts per account and per client
/// address, and the second factor.
extension AuthService {
    /// The throttle keys of a sign-in to `email` from `client`.
    func throttleKeys(_ email: String, client: ClientInfo) -> [String] {
        ["account:\(email)"] + (client.address.map { ["address:\($0)"] } ?? [])
    }

    /// 429 with `Retry-After` while any of `keys` is locked.
    func requireNotLockedOut(_ keys: [String], at now: Date) async throws {
        for key in keys {
            if let until = try await attempts.lockedUntil(key, at: now) {
                throw Self.lockedOut(until: until, now: now)
            }
        }
    }

    /// Counts a failed sign-in on every key and audits it, and a lockout when one begins.
    func recordFailedSignIn(_ keys: [String], userID: UUID?, email: String, client: ClientInfo, reason: String, now: Date) async throws {
        for key in keys {
            let state = try await attempts.recordFailure(key, throttle: key.hasPrefix("account:") ? settings.accountThrottle : settings.addressThrottle, at: now)
            if state.lockedUntil.map({ $0 > now && state.failures == 0 }) == true {
                try await audit.record(.lockedOut, userID: userID, email: email, client: client, detail: key)
            }
        }
        try await audit.record(.loginFailed, userID: userID, email: email, client: client, detail: reason)
    }

    /// When `user` has TOTP on, `code` must be its current code or an unused recovery code; a wrong one counts as a
    /// failed sign-in on `keys`.
    func requireSecondFactor(_ code: String?, of user: UserRecord, keys: [String], client: ClientInfo, now: Date) async throws {
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
