import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// Charges each request to its buckets and answers with `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset`; a refused request is a 429 problem with `Retry-After`. On the sensitive auth routes the
/// small JSON body is read for its `email`, so that guesses against one account are limited wherever they come
/// from, and passed on unchanged. The same round trip tells whether the caller's token was revoked: the request
/// then goes on as anonymous, charged as such, and ``AccessMiddleware`` refuses it where a token is needed.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let limiter: RateLimiter
    let policy: RateLimitPolicy
    let clientAddress: ClientAddress

    static let maximumInspectedBody = 16 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let client = clientAddress.resolve(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor])
        var email: String?
        if request.method == .post, RateLimitPolicy.isSensitive(request.uri.path) {
            let body = try await request.body.collect(upTo: Self.maximumInspectedBody)
            request.body = RequestBody(buffer: body)
            email = Self.email(in: body)
        }
        let buckets = { (identity: Identity?) in policy.buckets(path: request.uri.path, client: client, identity: identity, email: email) }
        let decision: RateLimitDecision
        if let tokenID = context.claims?.tokenID {
            if let charged = await limiter.check(buckets(context.identity), unlessRevoked: tokenID) {
                decision = charged
            } else {
                context.identity = nil
                context.claims = nil
                context.authenticationFailure = AccessTokenVerifier.Rejection.revoked.description
                context.notes.userID = nil
                decision = await limiter.check(buckets(nil))
            }
        } else {
            decision = await limiter.check(buckets(context.identity))
        }
        let headers: HTTPFields = [
            .rateLimitLimit: String(decision.limit),
            .rateLimitRemaining: String(decision.remaining),
            .rateLimitReset: String(decision.resetSeconds),
        ]
        guard decision.allowed else {
            var problem = Problem(.tooManyRequests, detail: "Too many requests: try again in \(decision.retryAfterSeconds) s.", headers: headers)
            problem.headers[.retryAfter] = String(decision.retryAfterSeconds)
            throw problem
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: headers)
        return response
    }

    static func email(in body: ByteBuffer) -> String? {
        struct EmailField: Decodable { var email: String? }
        let field = try? JSONDecoder().decode(EmailField.self, from: Data(body.readableBytesView))
        return field?.email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
