import HTTPTypes
import Hummingbird

/// The headers Helmet sets for an API, on every answer: no sniffing, no framing, no referrer, a CSP that allows
/// nothing (the docs page sets its own), HSTS when the client came over TLS; and no `Server` or
/// `X-Powered-By` from upstreams.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Whether clients reach the gateway over TLS (a terminating proxy in front), so HSTS applies.
    let behindTLS: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[values: .server] = []
        response.headers[values: HTTPField.Name("X-Powered-By")!] = []
        for (name, value) in securityHeaders {
            response.headers[name] = value
        }
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        }
        if behindTLS {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        return response
    }
}

/// The headers every answer gets, built once (header names are parsed when made).
private let securityHeaders: [(HTTPField.Name, String)] = [
    (.xContentTypeOptions, "nosniff"),
    (HTTPField.Name("X-Frame-Options")!, "DENY"),
    (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
    (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
    (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
    (HTTPField.Name("X-DNS-Prefetch-Control")!, "off"),
    (HTTPField.Name("X-Permitted-Cross-Domain-Policies")!, "none"),
]
