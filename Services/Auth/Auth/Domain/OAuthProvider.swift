import Foundation
import ServiceKit

/// A social sign-in provider (OAuth 2.0 authorization code with PKCE), from configuration:
/// `OAUTH_<NAME>_CLIENT_ID` and `OAUTH_<NAME>_CLIENT_SECRET` turn it on; `OAUTH_<NAME>_AUTHORIZE_URL`,
/// `…_TOKEN_URL` and `…_USERINFO_URL` default to the provider's public endpoints.
struct OAuthProvider: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case google, facebook
    }

    /// Who signed in, as the provider tells it.
    struct Profile: Sendable, Equatable {
        var subject: String
        var email: String?
        var emailVerified: Bool
        var name: String?
    }

    let kind: Kind
    let clientID: String
    let clientSecret: String
    let authorizeURL: URL
    let tokenURL: URL
    let userInfoURL: URL

    var scope: String {
        switch kind {
        case .google: "openid email profile"
        case .facebook: "email public_profile"
        }
    }

    /// The providers whose client id is configured.
    static func configured(_ settings: Settings) throws -> [OAuthProvider] {
        try Kind.allCases.compactMap { kind in
            let prefix = "oauth.\(kind.rawValue)"
            guard let clientID = settings.optionalString("\(prefix).client.id"), !clientID.isEmpty else { return nil }
            guard let secret = settings.optionalString("\(prefix).client.secret", isSecret: true), !secret.isEmpty else {
                throw ConfigurationError(
                    variable: "OAUTH_\(kind.rawValue.uppercased())_CLIENT_SECRET", expected: "the client secret that goes with the client id", value: nil)
            }
            let defaults = kind.endpoints
            return OAuthProvider(
                kind: kind,
                clientID: clientID,
                clientSecret: secret,
                authorizeURL: try settings.url("\(prefix).authorize.url", default: defaults.authorize, schemes: ["https", "http"]),
                tokenURL: try settings.url("\(prefix).token.url", default: defaults.token, schemes: ["https", "http"]),
                userInfoURL: try settings.url("\(prefix).userinfo.url", default: defaults.userInfo, schemes: ["https", "http"])
            )
        }
    }

    /// Reads the provider's userinfo answer: Google's OpenID Connect claims (`sub`, `email`, `email_verified`,
    /// `name`), or Facebook's Graph fields (`id`, `email`, `name`; Facebook only returns confirmed emails).
    func profile(from json: [String: Any]) -> Profile? {
        switch kind {
        case .google:
            guard let subject = json["sub"] as? String else { return nil }
            let verified = (json["email_verified"] as? Bool) ?? ((json["email_verified"] as? String) == "true")
            return Profile(subject: subject, email: json["email"] as? String, emailVerified: verified, name: json["name"] as? String)
        case .facebook:
            guard let subject = json["id"] as? String else { return nil }
            let email = json["email"] as? String
            return Profile(subject: subject, email: email, emailVerified: email != nil, name: json["name"] as? String)
        }
    }
}

extension OAuthProvider.Kind {
    var endpoints: (authorize: String, token: String, userInfo: String) {
        switch self {
        case .google:
            ("https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token", "https://openidconnect.googleapis.com/v1/userinfo")
        case .facebook:
            (
                "https://www.facebook.com/v19.0/dialog/oauth", "https://graph.facebook.com/v19.0/oauth/access_token",
                "https://graph.facebook.com/me?fields=id,name,email"
            )
        }
    }
}
