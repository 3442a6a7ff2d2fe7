import Foundation
import Logging
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Auth

/// Spent and expired tokens do not pile up: Auth's retention deletes them once they can no longer serve.
@Suite struct RetentionTests {
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
            func retain(daysFromNow days: Double) async {
                let later = Date().addingTimeInterval(days * 86_400)
                await Retention(
                    [Sessions.retention, OneTimeTokens.retention], postgres: auth.postgres, clock: WallClock { later }, logger: Logger(label: "retention")
                ).runOnce()
            }
            await retain(daysFromNow: 0)
            #expect(try await tokens("one_time_tokens") == 1)
            // Twenty days on: the link expired long ago; the refresh token a fortnight ago, within its month.
            await retain(daysFromNow: 20)
            #expect(try await tokens("one_time_tokens") == 0)
            #expect(try await tokens("refresh_tokens") == 1)
            await retain(daysFromNow: 40)
            #expect(try await tokens("refresh_tokens") == 0)
        }
    }
}
