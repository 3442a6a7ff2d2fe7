import HTTPTypes
import Hummingbird
import ServiceKit

/// CORS for an allowlist of origins: preflights are answered here, and only an allowed origin gets the
/// `Access-Control-Allow-*` headers (credentials included); other origins get nothing a browser would accept.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    static var allowedHeaders: String { "Authorization, Content-Type, Idempotency-Key, X-Request-Id" }
    static var exposedHeaders: String { "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else {
            return try await next(request, context)
        }
        let allowed = allowedOrigins.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else { throw Problem(.forbidden, detail: "This origin may not call the API.") }
            return Response(
                status: .noContent,
                headers: corsHeaders(origin: origin) + [
                    .accessControlAllowMethods: "GET, POST, PUT, PATCH, DELETE",
                    .accessControlAllowHeaders: Self.allowedHeaders,
                    .accessControlMaxAge: "600",
                ]
            )
        }
        var response = try await next(request, context)
        response.headers[.vary] = response.headers[.vary].map { $0 + ", Origin" } ?? "Origin"
        if allowed {
            response.headers.append(contentsOf: corsHeaders(origin: origin))
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
        return response
    }

    private func corsHeaders(origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true", .vary: "Origin"]
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}
