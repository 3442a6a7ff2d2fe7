import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Auth

/// Spent tokens and stale sign-in failures do not pile up: Auth's retention deletes them once they can no longer
/// serve, under the rules its build hands the runtime.
@Suite struct RetentionTests {
    /// One pass of Auth's retention, as if it ran `hours` from now.
    static func retain(_ auth: AuthHarness, hoursFromNow hours: Double) async throws {
        let later = Date().addingTimeInterval(hours * 3600)
        let rules = retentionRules(try AuthSettings(TestEnvironment.configuration(.auth)))
        await Retention(rules, postgres: auth.postgres, clock: WallClock { later }, logger: Logger(label: "retention")).runOnce()
    }

    @Test func expiredTokensAreDeletedAfterTheirGraceAndLiveOnesKept() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let user = session.user.id
            func tokens(_ table: String) async throws -> Int {
                try await auth.count("SELECT count(*)::int FROM \(unescaped: table) WHERE user_id = \(user)")
            }
            // Registration mailed a verification link; signing in made a refresh token (a week).
            #expect(try await tokens("one_time_tokens") == 1)
            #expect(try await tokens("refresh_tokens") == 1)
            try await Self.retain(auth, hoursFromNow: 0)
            #expect(try await tokens("one_time_tokens") == 1)
            // Twenty days on: the link expired long ago; the refresh token a fortnight ago, within its month.
            try await Self.retain(auth, hoursFromNow: 20 * 24)
            #expect(try await tokens("one_time_tokens") == 0)
            #expect(try await tokens("refresh_tokens") == 1)
            try await Self.retain(auth, hoursFromNow: 40 * 24)
            #expect(try await tokens("refresh_tokens") == 0)
        }
    }

    /// The running service applies Auth's rules with ServiceKit's, in the runtime's one job.
    @Test func theServiceDeletesWhatItsRulesSayWhileItRuns() async throws {
        try await AuthHarness.run(["RETENTION_INTERVAL_MS": "100"]) { auth in
            let (stale, fresh) = ("address:\(UUID())", "address:\(UUID())")
            for (key, hoursAgo) in [(stale, 3.0), (fresh, 1.0)] {
                try await auth.postgres.query(
                    """
                    INSERT INTO login_attempts (key, failures, window_started_at, lockouts, locked_until)
                    VALUES (\(key), 1, \(Date().addingTimeInterval(-hoursAgo * 3600)), 0, NULL)
                    """)
            }
            func kept(_ key: String) async throws -> Bool {
                try await auth.count("SELECT count(*)::int FROM login_attempts WHERE key = \(key)") == 1
            }
            #expect(try await eventually(timeout: .seconds(10)) { try await !kept(stale) })
            #expect(try await kept(fresh))
        }
    }

    /// With the default throttles (a 15-minute window, lockouts of an hour at most) a failure counts for nothing
    /// two hours after its window began.
    @Test func signInFailuresAreDeletedOnceNoThrottleCountsThem() async throws {
        try await AuthHarness.run { auth in
            let email = try await auth.register().user.email
            #expect(try await auth.login(email, password: "wrong password!!").status == .unauthorized)
            func failures() async throws -> Int {
                try await auth.count(
                    "SELECT count(*)::int FROM login_attempts WHERE starts_with(key, \("account:" + email)) OR key = \("address:" + auth.address)")
            }
            // The account from this address, the address, the account from everywhere.
            #expect(try await failures() == 3)
            try await Self.retain(auth, hoursFromNow: 1.9)
            #expect(try await failures() == 3)
            try await Self.retain(auth, hoursFromNow: 2.1)
            #expect(try await failures() == 0)
        }
    }
}
