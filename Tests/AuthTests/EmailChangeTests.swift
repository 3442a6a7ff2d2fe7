import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct EmailChangeTests {
    @Test func theNewAddressConfirmsTheChangeAndTheOldOneIsTold() async throws {
        try await AuthHarness.run { auth in
            let oldEmail = AuthHarness.uniqueEmail("ana")
            let ana = try await auth.register(email: oldEmail)
            let newEmail = AuthHarness.uniqueEmail("ana.new")
            let path = "/api/v1/auth/me/email"
            #expect(
                try await auth.send(.post, path, ["email": newEmail, "password": "wrong"], token: ana.accessToken).problem?.errors?.first?.field == "password")
            #expect(
                try await auth.send(.post, path, ["email": oldEmail, "password": AuthHarness.password], token: ana.accessToken).status == .unprocessableContent)
            #expect(try await auth.send(.post, path, ["email": "nope", "password": AuthHarness.password], token: ana.accessToken).status == .badRequest)
            #expect(try await auth.send(.post, path, ["email": newEmail, "password": AuthHarness.password]).status == .unauthorized)

            // Someone else's address: the same answer, and no mail.
            let luis = try await auth.register(email: AuthHarness.uniqueEmail("luis"))
            #expect(try await auth.send(.post, path, ["email": luis.user.email, "password": AuthHarness.password], token: ana.accessToken).status == .accepted)
            #expect(try await auth.send(.post, path, ["email": newEmail, "password": AuthHarness.password], token: ana.accessToken).status == .accepted)
            let mail = try #require(await auth.mailbox.latest(.emailChange, for: ana.user.id))
            #expect(mail.emailTo == newEmail)
            #expect(await auth.mailbox.count(.emailChange, for: ana.user.id) == 1)
            let token = try #require(mail.linkToken)

            // Nothing changes until the link is followed.
            #expect(try await auth.login(oldEmail).status == .ok)
            let confirmed = try await auth.send(.post, "/api/v1/auth/email/confirm", ["token": token])
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            let user = try confirmed.decode(Session.User.self)
            #expect(user.email == newEmail)
            #expect(user.emailVerified)
            let told = try #require(await auth.mailbox.latest(.emailChanged, for: ana.user.id))
            #expect(told.emailTo == oldEmail)
            #expect(told.data["email"] == .string(newEmail))
            #expect(try await auth.login(oldEmail).status == .unauthorized)
            #expect(try await auth.login(newEmail).status == .ok)
            // Every session was signed out.
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": ana.refreshToken]).status == .unauthorized)
            #expect(try await auth.send(.post, "/api/v1/auth/email/confirm", ["token": token]).status == .unprocessableContent)
        }
    }

    @Test func anAddressTakenBeforeTheLinkIsFollowedIsAConflict() async throws {
        try await AuthHarness.run { auth in
            let ana = try await auth.register()
            let wanted = AuthHarness.uniqueEmail("wanted")
            #expect(
                try await auth.send(.post, "/api/v1/auth/me/email", ["email": wanted, "password": AuthHarness.password], token: ana.accessToken).status
                    == .accepted)
            let token = try #require(await auth.mailbox.latest(.emailChange, for: ana.user.id)?.linkToken)
            _ = try await auth.register(email: wanted)
            let taken = try await auth.send(.post, "/api/v1/auth/email/confirm", ["token": token])
            #expect(taken.status == .conflict)
            #expect(taken.problem?.code == "email_taken")
            #expect(try await auth.login(ana.user.email).status == .ok)
        }
    }
}
