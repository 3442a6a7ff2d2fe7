import HTTPTypes
import ServiceKit

/// CORS for an allowlist of origins: preflights are answered by the gateway, and only an allowed origin gets the
/// `Access-Control-Allow-*` headers (credentials included); other origins get nothing a browser would accept.
struct CORSPolicy: Sendable {
    let allowedOrigins: Set<String>

    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
    static let exposedHeaders = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id"

    static func isPreflight(_ request: HTTPRequest) -> Bool {
        request.method == .options && request.headerFields[.origin] != nil && request.headerFields[.accessControlRequestMethod] != nil
    }

    /// The headers of the answer to a preflight from `origin`; a problem for an origin not allowed.
    func preflight(origin: String) throws -> HTTPFields {
        guard allowedOrigins.contains(origin) else { throw Problem(.forbidden, detail: "This origin may not call the API.") }
        var headers = allowing(origin)
        headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE"
        headers[.accessControlAllowHeaders] = Self.allowedHeaders
        headers[.accessControlMaxAge] = "600"
        return headers
    }

    /// Adds to an answer for a request from `origin` what CORS says of it.
    func apply(to headers: inout HTTPFields, origin: String?) {
        guard let origin else { return }
        headers[.vary] = headers[.vary].map { $0 + ", Origin" } ?? "Origin"
        if allowedOrigins.contains(origin) {
            headers.append(contentsOf: allowing(origin))
            headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
    }

    private func allowing(_ origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true", .vary: "Origin"]
    }
}
