import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// Social sign-in with Google and Facebook: the OAuth 2.0 authorization-code flow with PKCE and `state`.
///
/// 1. `GET /api/v1/auth/oauth/{provider}/start?redirectUri=…` answers 302 to the provider's consent page.
/// 2. The provider sends the browser to `…/{provider}/callback?code=…&state=…`; Auth trades the code for the
///    user's profile, finds or makes the account (linking by a verified email), and sends the browser back to
///    the app's `redirectUri` with a one-time `code` (or an `error`).
/// 3. The app posts that code to `POST /api/v1/auth/oauth/exchange` (with `totpCode` when the account has 2FA on)
///    and gets the usual token answer. Tokens thus never travel in a URL.
///
/// The `state` is bound to the browser that started the flow: `start` sets a `__Host-` cookie holding its hash and
/// the callback refuses a state that browser did not start, so that nobody can sign a victim into their account
/// (login CSRF). The cookie is `SameSite=Lax`: the provider's redirect back is a cross-site top-level navigation,
/// which `Strict` would strip it from.
struct SocialRoutes {
    let auth: AuthService
    let providers: [String: OAuthProvider]
    let client: OAuthClient

    struct Exchange: Decodable {
        var code: String
        var totpCode: String?
    }

    static let stateCookie = "__Host-mayago-oauth"

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth/oauth")
        group.get(":provider/start", use: start)
        group.get(":provider/callback", use: callback)
        group.post("exchange", use: exchange)
    }

    @Sendable func start(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try self.provider(context)
        let redirect = try appRedirect(request.uri.queryParameters.get("redirectUri"))
        let state = SecretToken.make()
        let verifier = SecretToken.make(bytes: 48)
        try await auth.beginSocialSignIn(state: state, .init(provider: provider.kind.rawValue, codeVerifier: verifier, redirectURI: redirect.absoluteString))
        var consent = URLComponents(url: provider.authorizeURL, resolvingAgainstBaseURL: false)!
        consent.queryItems =
            (consent.queryItems ?? []) + [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: provider.clientID),
                URLQueryItem(name: "redirect_uri", value: callbackURL(provider).absoluteString),
                URLQueryItem(name: "scope", value: provider.scope),
                URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "code_challenge", value: SecretToken.pkceChallenge(verifier)),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
        return Response(
            status: .found,
            headers: [
                .location: consent.string!, .cacheControl: "no-store",
                .setCookie: Self.stateCookie(SecretToken.hash(state), maxAge: Int(OAuthStates.lifetime)).description,
            ]
        )
    }

    @Sendable func callback(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try self.provider(context)
        let query = request.uri.queryParameters
        guard let state = query.get("state"), request.cookies[Self.stateCookie]?.value == SecretToken.hash(state),
            let pending = try await auth.pendingSocialSignIn(state: state),
            pending.provider == provider.kind.rawValue, let appRedirect = URL(string: pending.redirectURI)
        else { throw Problem(.badRequest, detail: "This sign-in is unknown or expired; start again.", code: "oauth_state_invalid") }
        guard let code = query.get("code") else {
            return Self.redirect(to: appRedirect, ["error": query.get("error") ?? "access_denied"])
        }
        let profile: OAuthProvider.Profile
        do {
            profile = try await client.profile(provider, code: code, codeVerifier: pending.codeVerifier, redirectURI: callbackURL(provider).absoluteString)
        } catch {
            context.logger.warning("Social sign-in failed at the provider", metadata: ["provider": "\(provider.kind.rawValue)", "error": "\(error)"])
            return Self.redirect(to: appRedirect, ["error": "provider_failed"])
        }
        do {
            let signInCode = try await auth.socialSignIn(provider.kind.rawValue, profile, client: ClientInfo(request, context: context))
            return Self.redirect(to: appRedirect, ["code": signInCode])
        } catch let problem as Problem {
            return Self.redirect(to: appRedirect, ["error": problem.code ?? "signin_failed"])
        }
    }

    @Sendable func exchange(_ request: Request, context: ServiceRequestContext) async throws -> TokenPair {
        let body = try await request.decode(as: Exchange.self, context: context)
        return try await auth.exchangeSignInCode(body.code, totpCode: body.totpCode, client: ClientInfo(request, context: context))
    }

    private func provider(_ context: ServiceRequestContext) throws -> OAuthProvider {
        let name = try context.parameters.require("provider")
        guard let provider = providers[name] else { throw Problem.notFound("Sign-in with \(name) is not set up.") }
        return provider
    }

    /// Where the provider sends the browser back: this service's callback, as the public sees it.
    private func callbackURL(_ provider: OAuthProvider) -> URL {
        auth.settings.publicURL.appendingPathComponent("api/v1/auth/oauth/\(provider.kind.rawValue)/callback")
    }

    /// The app's page to return to: on the public origin only, so that the flow cannot send codes elsewhere.
    private func appRedirect(_ text: String?) throws -> URL {
        let base = auth.settings.publicURL
        guard let text else { return base.appendingPathComponent("signed-in") }
        guard let url = URL(string: text), url.scheme == base.scheme, url.host == base.host, url.port == base.port else {
            throw Problem.invalid("redirectUri", "must be a page of \(base.absoluteString)")
        }
        return url
    }

    /// The cookie that binds a sign-in's state to its browser; `maxAge` 0 removes it.
    private static func stateCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(name: stateCookie, value: value, maxAge: maxAge, path: "/", secure: true, httpOnly: true, sameSite: .lax)
    }

    private static func redirect(to url: URL, _ parameters: [String: String]) -> Response {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        components.queryItems = (components.queryItems ?? []) + parameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return Response(
            status: .found,
            headers: [.location: components.string!, .cacheControl: "no-store", .setCookie: stateCookie("", maxAge: 0).description]
        )
    }
}
