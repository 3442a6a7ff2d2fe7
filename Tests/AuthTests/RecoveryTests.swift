import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Auth

@Suite struct RecoveryTests {
    @Test func theVerificationMailCarriesASingleUseLink() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register(name: "Luis")
            let mail = try #require(await auth.mailbox.latest(.emailVerification, for: session.user.id))
            #expect(mail.data["name"] == .string("Luis"))
            guard case .string(let link) = mail.data["link"] else {
                Issue.record("no link")
                return
            }
            #expect(link.hasPrefix("https://mayago.test/verify-email?token="))
            let token = try #require(mail.linkToken)

            let verified = try await auth.send(.post, "/api/v1/auth/verify-email", ["token": token])
            #expect(verified.status == .ok)
            #expect(try verified.decode(Session.User.self).emailVerified)
            let me = try await auth.send(.get, "/api/v1/auth/me", token: session.accessToken)
            #expect(try me.decode(Session.User.self).emailVerified)

            let again = try await auth.send(.post, "/api/v1/auth/verify-email", ["token": token])
            #expect(again.status == .unprocessableContent)
            #expect(again.problem?.errors?.first?.field == "token")
            // Verified already: asking again sends nothing.
            #expect(try await auth.send(.post, "/api/v1/auth/verify-email/request", token: session.accessToken).status == .accepted)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await auth.mailbox.count(.emailVerification, for: session.user.id) == 1)
        }
    }

    @Test func verificationLinksExpireAndANewOneReplacesTheOld() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let first = try #require(await auth.mailbox.latest(.emailVerification, for: session.user.id)?.linkToken)
            #expect(try await auth.send(.post, "/api/v1/auth/verify-email/request", token: session.accessToken).status == .accepted)
            let secondArrived = await eventually { await auth.mailbox.count(.emailVerification, for: session.user.id) == 2 }
            #expect(secondArrived)
            let second = try #require(await auth.mailbox.latest(.emailVerification, for: session.user.id)?.linkToken)
            #expect(try await auth.send(.post, "/api/v1/auth/verify-email", ["token": first]).status == .unprocessableContent)

            auth.clock.advance(by: 86_400 + 1)
            #expect(try await auth.send(.post, "/api/v1/auth/verify-email", ["token": second]).status == .unprocessableContent)
        }
    }

    @Test func passwordResetSaysNothingAboutTheEmailAndEndsEverySession() async throws {
        try await AuthHarness.run { auth in
            let unknown = try await auth.send(.post, "/api/v1/auth/password-reset/request", ["email": AuthHarness.uniqueEmail("ghost")])
            #expect(unknown.status == .accepted)
            let invalid = try await auth.send(.post, "/api/v1/auth/password-reset/request", ["email": "nope"])
            #expect(invalid.status == .badRequest)
            #expect(invalid.problem?.errors?.first?.field == "email")

            let session = try await auth.register()
            let requested = try await auth.send(.post, "/api/v1/auth/password-reset/request", ["email": session.user.email])
            #expect(requested.status == .accepted)
            let token = try #require(await auth.mailbox.latest(.passwordReset, for: session.user.id)?.linkToken)

            let weak = try await auth.send(.post, "/api/v1/auth/password-reset", ["token": token, "password": "qwertyuiop"])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.problem?.errors?.first?.field == "password")

            let reset = try await auth.send(.post, "/api/v1/auth/password-reset", ["token": token, "password": "brand new secret words"])
            #expect(reset.status == .noContent)
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": session.refreshToken]).status == .unauthorized)
            let revoked = try await eventually {
                try await auth.send(.get, "/api/v1/auth/me", token: session.accessToken).status == .unauthorized
            }
            #expect(revoked)
            #expect(try await auth.login(session.user.email).status == .unauthorized)
            #expect(try await auth.login(session.user.email, password: "brand new secret words").status == .ok)

            let reused = try await auth.send(.post, "/api/v1/auth/password-reset", ["token": token, "password": "yet another passphrase"])
            #expect(reused.status == .unprocessableContent)
            #expect(reused.problem?.code == "token_invalid")
        }
    }

    @Test func resetLinksExpireAfterAnHour() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            _ = try await auth.send(.post, "/api/v1/auth/password-reset/request", ["email": session.user.email])
            let token = try #require(await auth.mailbox.latest(.passwordReset, for: session.user.id)?.linkToken)
            auth.clock.advance(by: 3601)
            let late = try await auth.send(.post, "/api/v1/auth/password-reset", ["token": token, "password": "brand new secret words"])
            #expect(late.status == .unprocessableContent)
            #expect(try await auth.login(session.user.email).status == .ok)
        }
    }
}
