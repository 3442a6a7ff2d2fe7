import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The state of ``LoginThrottle`` per key (``SignInKeys``), in PostgreSQL so that a lockout
/// holds across instances and restarts.
struct LoginAttempts: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// ``Retention``'s rule: a key's row goes once none of `throttles` would count it (``LoginThrottle/forgottenAfter``).
    static func retention(_ throttles: [LoginThrottle]) -> Retention.Rule {
        Retention.Rule("login_attempts", by: "window_started_at", keptFor: .seconds(throttles.map(\.forgottenAfter).max() ?? 0))
    }

    /// When `key` is locked at `now`, until when.
    func lockedUntil(_ key: String, at now: Date) async throws -> Date? {
        let rows = try await postgres.query("SELECT locked_until FROM login_attempts WHERE key = \(key) AND locked_until > \(now)", logger: logger)
        for try await lockedUntil in rows.decode(Date.self) { return lockedUntil }
        return nil
    }

    /// Counts a failure on `key` under `throttle`; returns the new state. The row is locked while it changes, so
    /// that concurrent failures all count.
    func recordFailure(_ key: String, throttle: LoginThrottle, at now: Date) async throws -> LoginThrottle.State {
        try await postgres.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                "SELECT failures, window_started_at, lockouts, locked_until FROM login_attempts WHERE key = \(key) FOR UPDATE",
                logger: logger
            )
            var state: LoginThrottle.State?
            for try await (failures, started, lockouts, lockedUntil) in rows.decode((Int, Date, Int, Date?).self) {
                state = .init(failures: failures, windowStartedAt: started, lockouts: lockouts, lockedUntil: lockedUntil)
            }
            let next = throttle.recordingFailure(state, at: now)
            try await connection.query(
                """
                INSERT INTO login_attempts (key, failures, window_started_at, lockouts, locked_until)
                VALUES (\(key), \(next.failures), \(next.windowStartedAt), \(next.lockouts), \(next.lockedUntil))
                ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at,
                    lockouts = excluded.lockouts, locked_until = excluded.locked_until
                """,
                logger: logger
            )
            return next
        }
    }

    /// Whether `key` has failed within its window or been locked before.
    func hasFailures(_ key: String) async throws -> Bool {
        let rows = try await postgres.query("SELECT 1 FROM login_attempts WHERE key = \(key) AND (failures > 0 OR lockouts > 0)", logger: logger)
        return try await rows.returnedARow()
    }

    /// Forgets the failures of `key` after a success. Past lockouts still count, so that an attacker who also
    /// knows a working password cannot reset the growing delay; a quiet spell forgives them (``LoginThrottle``).
    func resetFailures(_ key: String) async throws {
        try await postgres.query("UPDATE login_attempts SET failures = 0 WHERE key = \(key)", logger: logger)
    }

    /// Lifts every restriction on the account of `keys`, from every address: a password reset proves the owner
    /// reads the account's mail.
    func unlock(_ keys: SignInKeys) async throws {
        try await postgres.query(
            "DELETE FROM login_attempts WHERE key = \(keys.account) OR starts_with(key, \(keys.account + "@"))",
            logger: logger
        )
    }
}
