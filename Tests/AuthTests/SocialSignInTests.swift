import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import TestSupport
import Testing

@testable import Auth

/// A stand-in OAuth provider speaking Google's and Facebook's wire format: the token endpoint (form-encoded,
/// PKCE checked, `invalid_grant` errors) and the userinfo endpoint.
actor FakeProvider {
    struct Grant {
        var challenge: String
        var redirectURI: String
        var profile: [String: any Sendable]
    }

    private var grants: [String: Grant] = [:]
    private var tokens: [String: [String: any Sendable]] = [:]

    /// What the consent page does when the user agrees: a code bound to the request's PKCE challenge.
    func consent(code: String, challenge: String, redirectURI: String, profile: [String: any Sendable]) {
        grants[code] = Grant(challenge: challenge, redirectURI: redirectURI, profile: profile)
    }

    func token(_ form: [String: String]) -> (HTTPResponse.Status, [String: any Sendable]) {
        guard form["grant_type"] == "authorization_code", form["client_id"] == "client-1", form["client_secret"] == "secret-1" else {
            return (.unauthorized, ["error": "invalid_client"])
        }
        guard let code = form["code"], let grant = grants.removeValue(forKey: code), grant.redirectURI == form["redirect_uri"],
            let verifier = form["code_verifier"], Self.challenge(verifier) == grant.challenge
        else { return (.badRequest, ["error": "invalid_grant", "error_description": "Bad Request"]) }
        let accessToken = "ya29.\(UUID().uuidString)"
        tokens[accessToken] = grant.profile
        return (.ok, ["access_token": accessToken, "token_type": "Bearer", "expires_in": 3599, "scope": "openid email profile", "id_token": "e30.e30.sig"])
    }

    func userInfo(_ authorization: String?) -> [String: any Sendable]? {
        guard let token = authorization?.split(separator: " ").last else { return nil }
        return tokens[String(token)]
    }

    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("token") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 16))
            var form: [String: String] = [:]
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            let (status, body) = await self.token(form)
            return Self.json(body, status: status)
        }
        router.get("userinfo") { request, _ -> Response in
            guard let profile = await self.userInfo(request.headers[.authorization]) else {
                let error: [String: any Sendable] = ["code": 401, "message": "Request had invalid authentication credentials."]
                return Self.json(["error": error], status: .unauthorized)
            }
            return Self.json(profile, status: .ok)
        }
        return router
    }

    nonisolated static func json(_ object: [String: any Sendable], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

@Suite struct SocialSignInTests {
    /// Auth with Google pointed at the fake provider.
    static func withGoogle(_ body: @escaping @Sendable (AuthHarness, FakeProvider) async throws -> Void) async throws {
        let provider = FakeProvider()
        try await withStandIn(provider.router()) { port in
            try await AuthHarness.run([
                "OAUTH_GOOGLE_CLIENT_ID": "client-1",
                "OAUTH_GOOGLE_CLIENT_SECRET": "secret-1",
                "OAUTH_GOOGLE_AUTHORIZE_URL": "https://accounts.example/o/oauth2/v2/auth",
                "OAUTH_GOOGLE_TOKEN_URL": "http://127.0.0.1:\(port)/token",
                "OAUTH_GOOGLE_USERINFO_URL": "http://127.0.0.1:\(port)/userinfo",
            ]) { auth in try await body(auth, provider) }
        }
    }

    /// Goes through the whole flow as a browser would; returns where Auth sent the browser back to.
    static func signIn(
        _ auth: AuthHarness, _ provider: FakeProvider, profile: [String: any Sendable], tamperVerifier: Bool = false
    ) async throws -> URLComponents {
        let start = try await auth.send(.get, "/api/v1/auth/oauth/google/start?redirectUri=https://mayago.test/welcome")
        #expect(start.status == .found)
        let browser = try #require(Self.stateCookie(start))
        let consent = try #require(start.headers[.location].flatMap(URLComponents.init(string:)))
        #expect(consent.host == "accounts.example")
        let query = Dictionary(uniqueKeysWithValues: (consent.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["client_id"] == "client-1")
        #expect(query["response_type"] == "code")
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["scope"] == "openid email profile")
        let redirectURI = try #require(query["redirect_uri"])
        #expect(redirectURI == "https://mayago.test/api/v1/auth/oauth/google/callback")
        let code = "code-\(UUID().uuidString)"
        await provider.consent(
            code: code, challenge: tamperVerifier ? "not-the-challenge" : query["code_challenge"]!, redirectURI: redirectURI, profile: profile)

        let callback = try await auth.send(.get, "/api/v1/auth/oauth/google/callback?code=\(code)&state=\(query["state"]!)", headers: [.cookie: browser])
        #expect(callback.status == .found)
        #expect(callback.headers[.setCookie]?.contains("Max-Age=0") == true)
        // The state is spent.
        let replay = try await auth.send(.get, "/api/v1/auth/oauth/google/callback?code=\(code)&state=\(query["state"]!)", headers: [.cookie: browser])
        #expect(replay.status == .badRequest)
        return try #require(callback.headers[.location].flatMap(URLComponents.init(string:)))
    }

    /// The `name=value` of the state cookie a start answer sets, as a browser would send it back.
    static func stateCookie(_ start: TestResponse) -> String? {
        guard let header = start.headers[.setCookie], header.hasPrefix("__Host-mayago-oauth="),
            header.contains("Secure"), header.contains("HttpOnly"), header.contains("SameSite=Lax"), header.contains("Path=/")
        else { return nil }
        return header.split(separator: ";").first.map(String.init)
    }

    static func exchange(_ auth: AuthHarness, _ back: URLComponents) async throws -> Session {
        #expect(back.host == "mayago.test")
        #expect(back.path == "/welcome")
        let code = try #require(back.queryItems?.first { $0.name == "code" }?.value)
        let exchanged = try await auth.send(.post, "/api/v1/auth/oauth/exchange", ["code": code])
        #expect(exchanged.status == .ok)
        #expect(try await auth.send(.post, "/api/v1/auth/oauth/exchange", ["code": code]).status == .unprocessableContent)
        return try exchanged.decode(Session.self)
    }

    @Test func aNewGoogleUserGetsAnAccountAndComesBackToTheSameOne() async throws {
        try await Self.withGoogle { auth, provider in
            let subject = "1098\(Int.random(in: 100_000...999_999))"
            let email = AuthHarness.uniqueEmail("gmail")
            let profile: [String: any Sendable] = ["sub": subject, "email": email, "email_verified": true, "name": "Mariana Solís"]
            let first = try await Self.exchange(auth, try await Self.signIn(auth, provider, profile: profile))
            #expect(first.user.email == email)
            #expect(first.user.name == "Mariana Solís")
            #expect(first.user.emailVerified)
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: first.accessToken).status == .ok)

            let again = try await Self.exchange(auth, try await Self.signIn(auth, provider, profile: profile))
            #expect(again.user.id == first.user.id)
            // No password was ever set: password sign-in fails like any wrong password.
            #expect(try await auth.login(email).status == .unauthorized)
        }
    }

    @Test func aVerifiedEmailLinksToTheExistingAccountAndAnUnverifiedOneDoesNot() async throws {
        try await Self.withGoogle { auth, provider in
            let existing = try await auth.register()
            let unverified = try await Self.signIn(auth, provider, profile: ["sub": "u-\(UUID())", "email": existing.user.email, "email_verified": false])
            #expect(unverified.queryItems?.first { $0.name == "error" }?.value == "email_unverified")

            let verified = try await Self.signIn(auth, provider, profile: ["sub": "v-\(UUID())", "email": existing.user.email, "email_verified": true])
            let session = try await Self.exchange(auth, verified)
            #expect(session.user.id == existing.user.id)
            #expect(session.user.emailVerified)
        }
    }

    /// Login CSRF: an attacker starts a sign-in with their own Google account and sends the victim's browser to the
    /// callback. The victim's browser has no state cookie (or another one), so the callback refuses it and the
    /// state stays for the browser that started it.
    @Test func theCallbackTakesOnlyTheStateItsOwnBrowserStarted() async throws {
        try await Self.withGoogle { auth, provider in
            let attacker = try await auth.send(.get, "/api/v1/auth/oauth/google/start?redirectUri=https://mayago.test/welcome")
            let attackerCookie = try #require(Self.stateCookie(attacker))
            let consent = try #require(attacker.headers[.location].flatMap(URLComponents.init(string:)))
            let query = Dictionary(uniqueKeysWithValues: (consent.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            let code = "code-\(UUID().uuidString)"
            let profile: [String: any Sendable] = ["sub": "evil-\(UUID())", "email": AuthHarness.uniqueEmail("evil"), "email_verified": true]
            await provider.consent(code: code, challenge: query["code_challenge"]!, redirectURI: query["redirect_uri"]!, profile: profile)
            let callback = "/api/v1/auth/oauth/google/callback?code=\(code)&state=\(query["state"]!)"

            let victimWithout = try await auth.send(.get, callback)
            #expect(victimWithout.status == .badRequest)
            #expect(victimWithout.problem?.code == "oauth_state_invalid")
            let other = try #require(Self.stateCookie(try await auth.send(.get, "/api/v1/auth/oauth/google/start")))
            #expect(try await auth.send(.get, callback, headers: [.cookie: other]).status == .badRequest)

            let back = try await auth.send(.get, callback, headers: [.cookie: "theme=dark; \(attackerCookie)"])
            #expect(back.status == .found)
            #expect(back.headers[.location]?.contains("code=") == true)
        }
    }

    /// Pre-hijacking: someone registers the victim's address with a password of theirs; when the victim signs in
    /// with Google, whose address is verified, that password, the sessions and keys it made stop working.
    @Test func linkingAnUnverifiedAccountEndsWhatItsRegistrantSet() async throws {
        try await Self.withGoogle { auth, provider in
            let squatter = try await auth.register(email: AuthHarness.uniqueEmail("victim"))
            let key = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": "mine", "scopes": ["read"]], token: squatter.accessToken)
            #expect(key.status == .created)
            #expect(try await auth.login(squatter.user.email).status == .ok)

            let back = try await Self.signIn(auth, provider, profile: ["sub": "g-\(UUID())", "email": squatter.user.email, "email_verified": true])
            let victim = try await Self.exchange(auth, back)
            #expect(victim.user.id == squatter.user.id)
            #expect(victim.user.emailVerified)

            #expect(try await auth.login(squatter.user.email).status == .unauthorized)
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": squatter.refreshToken]).status == .unauthorized)
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: squatter.accessToken).status == .unauthorized)
            let keys = try await auth.postgres.query("SELECT count(*)::int FROM api_keys WHERE user_id = \(squatter.user.id) AND revoked_at IS NULL")
            for try await live in keys.decode(Int.self) { #expect(live == 0) }
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: victim.accessToken).status == .ok)
        }
    }

    /// A social sign-in to an account with TOTP on needs the second factor, as a password sign-in does; the code
    /// is not spent until it is given.
    @Test func theExchangeAsksForTheSecondFactor() async throws {
        try await Self.withGoogle { auth, provider in
            let session = try await auth.register()
            try await auth.postgres.query("UPDATE users SET email_verified = true WHERE id = \(session.user.id)")
            let enrolment = try await auth.send(.post, "/api/v1/auth/2fa/enroll", token: session.accessToken).decode(TwoFactorTests.Enrolment.self)
            let now = Date()
            let confirm = try await auth.send(
                .post, "/api/v1/auth/2fa/confirm", ["code": TwoFactorTests.code(enrolment.secret, at: now)], token: session.accessToken)
            #expect(confirm.status == .ok)

            let back = try await Self.signIn(auth, provider, profile: ["sub": "t-\(UUID())", "email": session.user.email, "email_verified": true])
            let code = try #require(back.queryItems?.first { $0.name == "code" }?.value)
            let without = try await auth.send(.post, "/api/v1/auth/oauth/exchange", ["code": code])
            #expect(without.status == .unauthorized)
            #expect(without.problem?.code == "totp_required")
            let wrong = try await auth.send(.post, "/api/v1/auth/oauth/exchange", ["code": code, "totpCode": "000000"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.problem?.code == "totp_invalid")
            let next = TwoFactorTests.code(enrolment.secret, at: now.addingTimeInterval(30))
            let exchanged = try await auth.send(.post, "/api/v1/auth/oauth/exchange", ["code": code, "totpCode": next])
            #expect(exchanged.status == .ok)
            #expect(try exchanged.decode(Session.self).user.id == session.user.id)
            #expect(try await auth.send(.post, "/api/v1/auth/oauth/exchange", ["code": code, "totpCode": next]).status == .unprocessableContent)
        }
    }

    @Test func aWrongPKCEVerifierFailsAtTheProvider() async throws {
        try await Self.withGoogle { auth, provider in
            let back = try await Self.signIn(
                auth, provider, profile: ["sub": "x", "email": AuthHarness.uniqueEmail(), "email_verified": true], tamperVerifier: true)
            #expect(back.queryItems?.first { $0.name == "error" }?.value == "provider_failed")
            #expect(back.queryItems?.first { $0.name == "code" } == nil)
        }
    }

    @Test func unknownProvidersAndForeignRedirectsAreRefused() async throws {
        try await Self.withGoogle { auth, _ in
            #expect(try await auth.send(.get, "/api/v1/auth/oauth/facebook/start").status == .notFound)
            let foreign = try await auth.send(.get, "/api/v1/auth/oauth/google/start?redirectUri=https://evil.example/steal")
            #expect(foreign.status == .badRequest)
            #expect(foreign.problem?.errors?.first?.field == "redirectUri")
            #expect(try await auth.send(.get, "/api/v1/auth/oauth/google/callback?code=c&state=forged").status == .badRequest)
        }
    }

    @Test func facebookProfilesAreReadFromTheGraphFields() {
        let provider = OAuthProvider(
            kind: .facebook, clientID: "c", clientSecret: "s",
            authorizeURL: URL(string: "https://f.example/a")!, tokenURL: URL(string: "https://f.example/t")!, userInfoURL: URL(string: "https://f.example/u")!
        )
        #expect(
            provider.profile(from: ["id": "42", "name": "Leo", "email": "leo@example.com"])
                == .init(subject: "42", email: "leo@example.com", emailVerified: true, name: "Leo"))
        #expect(provider.profile(from: ["id": "43", "name": "No Mail"])?.emailVerified == false)
        #expect(provider.profile(from: ["name": "No id"]) == nil)
    }
}
