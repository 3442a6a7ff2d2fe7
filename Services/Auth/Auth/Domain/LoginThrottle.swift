import Foundation

/// Brute-force protection as Keycloak does it: failures are counted per key (an account, a client address)
/// within a window; reaching the limit locks the key, each lockout twice as long as the one before, up to a
/// maximum. Pure rules: ``LoginAttempts`` keeps the state in PostgreSQL.
struct LoginThrottle: Sendable, Equatable {
    var maximumFailures: Int
    var window: TimeInterval
    var firstLockout: TimeInterval
    var longestLockout: TimeInterval

    /// What is known about one key.
    struct State: Sendable, Equatable {
        var failures = 0
        var windowStartedAt: Date
        /// Lockouts so far; the next one lasts `firstLockout × 2^lockouts`.
        var lockouts = 0
        var lockedUntil: Date?

        func isLocked(at now: Date) -> Bool {
            lockedUntil.map { $0 > now } ?? false
        }
    }

    /// How long after its window began a key's state counts for nothing: the window is over and its last lockout,
    /// which ended at most `longestLockout` after the window began, has been forgiven. Such a state may be forgotten.
    var forgottenAfter: TimeInterval { max(window, 2 * longestLockout) }

    /// The state after one more failure at `now`.
    func recordingFailure(_ state: State?, at now: Date) -> State {
        var state = state ?? State(windowStartedAt: now)
        if now.timeIntervalSince(state.windowStartedAt) > window {
            state.failures = 0
            state.windowStartedAt = now
            // A quiet spell as long as the longest lockout forgives the earlier ones.
            if let lockedUntil = state.lockedUntil, now.timeIntervalSince(lockedUntil) > longestLockout {
                state.lockouts = 0
            }
        }
        state.failures += 1
        if state.failures >= maximumFailures {
            let duration = min(longestLockout, firstLockout * pow(2, Double(state.lockouts)))
            state.lockedUntil = now.addingTimeInterval(duration)
            state.lockouts += 1
            state.failures = 0
            state.windowStartedAt = now
        }
        return state
    }
}

/// The keys a sign-in is throttled under: the account from this client address (`pair`), the address alone, and
/// the account from every address.
struct SignInKeys: Sendable, Equatable {
    let pair: String
    let address: String?
    let account: String

    init(email: String, address: String?) {
        account = "account:\(email)"
        pair = "\(account)@\(address ?? "unknown")"
        self.address = address.map { "address:\($0)" }
    }
}
