import HTTPTypes

/// The headers Helmet sets for an API, on every answer: no sniffing, no framing, no referrer, a CSP that allows
/// nothing (the docs page sets its own), HSTS when the client came over TLS; and no `Server` or
/// `X-Powered-By` from upstreams.
struct SecurityHeaders: Sendable {
    /// Whether clients reach the gateway over TLS (a terminating proxy in front), so HSTS applies.
    let behindTLS: Bool

    func apply(to headers: inout HTTPFields) {
        headers[values: .server] = []
        headers[values: Self.poweredBy] = []
        for (name, value) in Self.fixed {
            headers[name] = value
        }
        if headers[.contentSecurityPolicy] == nil {
            headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        }
        if behindTLS {
            headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
    }

    private static let poweredBy = HTTPField.Name("X-Powered-By")!

    /// The headers every answer gets, built once (header names are parsed when made).
    private static let fixed: [(HTTPField.Name, String)] = [
        (.xContentTypeOptions, "nosniff"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
        (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
        (HTTPField.Name("X-DNS-Prefetch-Control")!, "off"),
        (HTTPField.Name("X-Permitted-Cross-Domain-Policies")!, "none"),
    ]
}
