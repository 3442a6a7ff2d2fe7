import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct AccountDeletionTests {
    @Test func aDeletedAccountIsSignedOutKeptBySigningInAndErasedAfterTheGracePeriod() async throws {
        try await AuthHarness.run(["ACCOUNT_DELETION_GRACE_HOURS": "24"]) { auth in
            let email = AuthHarness.uniqueEmail("ana")
            let ana = try await auth.register(email: email, role: .provider)
            let path = "/api/v1/auth/me/deletion"

            // The password proves the owner; bookings to come (Booking says) are settled first.
            let wrong = try await auth.send(.post, path, ["password": "not it"], token: ana.accessToken)
            #expect(wrong.status == .unprocessableContent && wrong.problem?.errors?.first?.field == "password")
            #expect(try await auth.send(.post, path, ["password": AuthHarness.password]).status == .unauthorized)
            await auth.mailbox.setUpcomingBookings(2, of: ana.user.id)
            #expect(try await auth.send(.post, path, ["password": AuthHarness.password], token: ana.accessToken).problem?.code == "upcoming_bookings")
            #expect(try await auth.count("SELECT count(*)::int FROM account_deletions") == 0)
            await auth.mailbox.setUpcomingBookings(0, of: ana.user.id)

            let deleted = try await auth.send(.post, path, ["password": AuthHarness.password], token: ana.accessToken)
            #expect(deleted.status == .accepted, "\(deleted.text)")
            let due = try #require(try deleted.json["deletionDueAt"] as? String)
            #expect(await auth.mailbox.latest(.accountDeletionScheduled, for: ana.user.id)?.data["deletionDueAt"] == .string(due))
            // Signed out everywhere at once.
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": ana.refreshToken]).status == .unauthorized)
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: ana.accessToken).status == .unauthorized)

            // Signing in during the grace period keeps the account.
            let back = try await auth.login(email)
            #expect(back.status == .ok)
            #expect(try await auth.count("SELECT count(*)::int FROM account_deletions") == 0)
            auth.clock.advance(by: 2 * 86_400)
            try await Task.sleep(for: .milliseconds(400))
            #expect(await auth.mailbox.erasures.isEmpty)

            // Deleted again and left: erased once the grace period is over, here and in every service.
            let again = try back.decode(Session.self)
            await auth.mailbox.setUpcomingBookings(0, of: ana.user.id)
            #expect(try await auth.send(.post, path, ["password": AuthHarness.password], token: again.accessToken).status == .accepted)
            auth.clock.advance(by: 23 * 3600)
            try await Task.sleep(for: .milliseconds(400))
            #expect(await auth.mailbox.erasures.isEmpty)
            auth.clock.advance(by: 2 * 3600)
            #expect(await eventually { await auth.mailbox.erasures.count == AccountErasure.services.count })
            #expect(await auth.mailbox.erasures.allSatisfy { $0 == AccountErasure(userId: ana.user.id, role: .provider) })
            #expect(try await auth.login(email).status == .unauthorized)
            let rows = try await auth.postgres.query("SELECT email, name, password_hash IS NULL, disabled FROM users WHERE id = \(ana.user.id)")
            for try await (storedEmail, name, noPassword, disabled) in rows.decode((String, String, Bool, Bool).self) {
                #expect(storedEmail.hasSuffix("@deleted.invalid") && name == "Deleted user" && noPassword && disabled)
            }
            #expect(try await auth.count("SELECT count(*)::int FROM audit_events WHERE user_id = \(ana.user.id) AND email IS NOT NULL") == 0)
            #expect(try await auth.count("SELECT count(*)::int FROM audit_events WHERE user_id = \(ana.user.id) AND type = 'account_erased'") == 1)
            // The address is free for a new account.
            #expect(
                try await auth.send(.post, "/api/v1/auth/register", ["email": email, "password": AuthHarness.password, "name": "Ana", "role": "traveler"])
                    .status == .accepted)
        }
    }
}
