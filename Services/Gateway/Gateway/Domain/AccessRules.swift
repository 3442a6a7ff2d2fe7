import HTTPTypes

/// Which requests the gateway lets through without a signed-in user. Everything else under the public API
/// needs a valid access token; the owning service then decides what that user may do.
struct AccessRules: Sendable {
    struct Rule: Sendable {
        let method: HTTPRequest.Method
        let pattern: PathPattern
    }

    let publicRules: [Rule]

    init(public rules: [(HTTPRequest.Method, String)]) {
        publicRules = rules.map { Rule(method: $0.0, pattern: PathPattern($0.1)) }
    }

    func isPublic(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        let method = method == .head ? .get : method
        return publicRules.contains { $0.method == method && $0.pattern.matches(path) }
    }

    /// Browsing, searching, signing up and in, the calls that carry their own secret (Stripe's signed webhooks, a
    /// provider's calendar feed with its token), and the development mailbox (Notify serves it outside production only).
    static let mayaGo = AccessRules(public: [
        (.get, "/.well-known/jwks.json"),
        (.get, "/api/v1/experiences/**"),
        (.get, "/api/v1/search/**"),
        (.get, "/api/v1/recommendations/similar/**"),
        (.post, "/api/v1/auth/register"),
        (.post, "/api/v1/auth/login"),
        (.post, "/api/v1/auth/refresh"),
        (.post, "/api/v1/auth/verify-email"),
        (.post, "/api/v1/auth/password-reset/request"),
        (.post, "/api/v1/auth/password-reset"),
        (.get, "/api/v1/auth/oauth/**"),
        (.post, "/api/v1/auth/oauth/**"),
        (.post, "/api/v1/webhooks/stripe"),
        (.get, "/api/v1/providers/*/calendar.ics"),
        (.get, "/api/v1/dev/mailbox"),
    ])
}
