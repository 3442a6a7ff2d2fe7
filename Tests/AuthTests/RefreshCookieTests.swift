import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct RefreshCookieTests {
    /// The cookie `response` sets, as `name=value`, and its attributes.
    static func cookie(_ response: TestResponse) throws -> (pair: String, attributes: Set<String>) {
        let header = try #require(response.headers[.setCookie])
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        return (parts[0], Set(parts.dropFirst()))
    }

    @Test func aBrowsersRefreshTokenLivesInAnHttpOnlyHostCookieAndRotatesThere() async throws {
        try await AuthHarness.run { auth in
            let email = AuthHarness.uniqueEmail("ana")
            _ = try await auth.register(email: email)
            let signedIn = try await auth.send(
                .post, "/api/v1/auth/login", ["email": email, "password": AuthHarness.password, "refreshTokenCookie": true],
                headers: AuthHarness.fromGateway(client: auth.address))
            #expect(signedIn.status == .ok)
            #expect(try signedIn.json["refreshToken"] == nil && signedIn.json["accessToken"] is String)
            let (first, attributes) = try Self.cookie(signedIn)
            #expect(first.hasPrefix("\(RefreshCookie.name)=") && first.count > RefreshCookie.name.count + 20)
            #expect(attributes.isSuperset(of: ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]))
            #expect(!attributes.contains { $0.lowercased().hasPrefix("domain") })

            // A refresh with no body spends the cookie's token and sets the next one.
            let refreshed = try await auth.send(.post, "/api/v1/auth/refresh", headers: [.cookie: first])
            #expect(refreshed.status == .ok, "\(refreshed.text)")
            #expect(try refreshed.json["refreshToken"] == nil)
            let (second, _) = try Self.cookie(refreshed)
            #expect(second != first)
            // The spent one, shown again, ends the sign-in's every session.
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", headers: [.cookie: first]).status == .unauthorized)
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", headers: [.cookie: second]).status == .unauthorized)
            let missing = try await auth.send(.post, "/api/v1/auth/refresh")
            #expect(missing.status == .unauthorized && missing.problem?.code == "refresh_token_invalid")

            // Signing out clears it.
            let again = try await auth.send(
                .post, "/api/v1/auth/login", ["email": email, "password": AuthHarness.password, "refreshTokenCookie": true],
                headers: AuthHarness.fromGateway(client: auth.address))
            let (cookie, _) = try Self.cookie(again)
            let token = try #require(try again.json["accessToken"] as? String)
            let out = try await auth.send(.post, "/api/v1/auth/logout", token: token, headers: [.cookie: cookie])
            #expect(out.status == .noContent)
            let (cleared, clearedAttributes) = try Self.cookie(out)
            #expect(cleared == "\(RefreshCookie.name)=" && clearedAttributes.contains("Max-Age=0"))
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", headers: [.cookie: cookie]).status == .unauthorized)
        }
    }
}
