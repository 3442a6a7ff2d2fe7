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

    /// Whether a request without a user may go on to the owning service, which answers a method it does not serve
    /// with 405 and the methods it does: a public request; any request to a path that a rule names as one route
    /// (public as a whole: such routes serve their public operation only); a method that no route serves
    /// (`TRACE`, `QUERY`) anywhere under a public tree.
    func admitsAnonymous(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        isPublic(method, path)
            || publicRules.contains { rule in
                rule.pattern.matches(path) && (rule.pattern.isOneRoute || !Self.servedMethods.contains(method))
            }
    }

    private static let servedMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete]

    /// Browsing (experiences, providers' pages), searching, signing up and in, which card form to show, the calls that carry their own secret (Stripe's signed webhooks, a
    /// provider's calendar feed with its token, a data export's mailed link), and the development mailbox (Notify serves it outside production only).
    static let mayaGo = AccessRules(public: [
        (.get, "/.well-known/jwks.json"),
        (.get, "/api/v1/experiences/**"),
        (.get, "/api/v1/search/**"),
        (.get, "/api/v1/recommendations/similar/**"),
        (.post, "/api/v1/auth/register"),
        (.post, "/api/v1/auth/login"),
        (.post, "/api/v1/auth/refresh"),
        (.post, "/api/v1/auth/verify-email"),
        (.post, "/api/v1/auth/email/confirm"),
        (.get, "/api/v1/auth/exports/download"),
        (.get, "/api/v1/auth/users/*/avatars/*/*"),
        (.post, "/api/v1/auth/password-reset/request"),
        (.post, "/api/v1/auth/password-reset"),
        (.get, "/api/v1/auth/oauth/*/start"),
        (.get, "/api/v1/auth/oauth/*/callback"),
        (.post, "/api/v1/auth/oauth/exchange"),
        (.post, "/api/v1/webhooks/stripe"),
        (.get, "/api/v1/payments/config"),
        (.get, "/api/v1/providers/*"),
        (.get, "/api/v1/providers/*/calendar.ics"),
        (.get, "/api/v1/dev/mailbox"),
    ])
}
