import Contracts
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceKit

/// Who is calling and whether they may, for a request to be proxied: the credential verified (a bearer token,
/// or an API key that Auth exchanges for an access token, so that services only ever see access tokens), the
/// request charged to its rate limit buckets (the same Redis round trip tells whether the token was revoked:
/// the request then goes on as anonymous), and the route's access rule applied. A refusal fails the future
/// with its ``Problem``.
struct Admission: Sendable {
    /// A request let through.
    struct Admitted: Sendable {
        var identity: Identity?
        /// What to send upstream as `Authorization` in place of the client's (an API key's access token).
        var authorization: String?
        var rateLimitHeaders: HTTPFields
    }

    /// Who a credential says the caller is, before the rate limit is asked about the token.
    private struct Caller: Sendable {
        var identity: Identity?
        var tokenID: String?
        var authorization: String?
        /// Why a presented credential was refused, for the 401 if the route needs one.
        var refusal: String?
    }

    let tokens: TokenAuthenticator
    let apiKeys: APIKeyAuthenticator
    let limiter: RateLimiter
    let policy: RateLimitPolicy
    let rules: AccessRules

    /// `email` is the one a sensitive route's body names, `client` the caller's address.
    func admit(_ request: HTTPRequest, path: String, client: String, email: String?, requestID: String, redis: LoopRedis) -> EventLoopFuture<Admitted> {
        let buckets: @Sendable (Identity?) -> [RateLimitBucket] = { identity in
            policy.buckets(path: path, client: client, identity: identity, email: email)
        }
        return caller(of: request, path: path, requestID: requestID, on: redis.loop).assumeIsolated().flatMap { caller in
            limiter.check(buckets(caller.identity), unlessRevoked: caller.tokenID, on: redis).assumeIsolated().flatMap { decision in
                if let decision { return redis.loop.makeSucceededFuture((caller, decision)) }
                let anonymous = Caller(refusal: AccessTokenVerifier.Rejection.revoked.description)
                return limiter.check(buckets(nil), unlessRevoked: nil, on: redis).map { (anonymous, $0!) }
            }.nonisolated()
        }.flatMapThrowing { caller, decision in
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
            if caller.identity == nil, !rules.isPublic(request.method, path) {
                throw Problem.unauthorized(caller.refusal ?? "Sign in: this needs an access token.")
            }
            return Admitted(identity: caller.identity, authorization: caller.authorization, rateLimitHeaders: headers)
        }.nonisolated()
    }

    private func caller(of request: HTTPRequest, path: String, requestID: String, on loop: any EventLoop) -> EventLoopFuture<Caller> {
        let authorization = request.headerFields[.authorization]
        if let key = authorization.flatMap(Self.apiKey) {
            return loop.makeFutureWithTask { [apiKeys] in
                try await apiKeys.authenticate(key, requestID: requestID)
            }.flatMapErrorThrowing { error in
                apiKeys.logger.warning("Cannot check an API key with Auth", metadata: ["error": "\(error)"])
                throw Problem(.serviceUnavailable, detail: "API keys cannot be checked right now; try again shortly.", headers: [.retryAfter: "5"])
            }.flatMapThrowing { outcome in
                guard case .accepted(let answer) = outcome else { return Caller(refusal: "The API key is invalid or revoked.") }
                guard answer.scopes.contains(.write) || Self.isSafe(request.method) else {
                    throw Problem.forbidden("This API key may only read.")
                }
                return Caller(identity: Identity(userID: answer.userId, role: answer.role), authorization: "Bearer \(answer.accessToken)")
            }
        }
        let query = { URLComponents(string: request.path ?? "")?.queryItems?.first { $0.name == "token" }?.value }
        guard let token = TokenAuthenticator.token(authorization: authorization, path: path, token: query()) else {
            return loop.makeSucceededFuture(Caller())
        }
        let verified: EventLoopFuture<(identity: Identity, claims: AccessClaims)>
        do {
            if let known = try tokens.verifiedBefore(token) {
                verified = loop.makeSucceededFuture(known)
            } else {
                verified = loop.makeFutureWithTask { [tokens] in try await tokens.verify(token) }
            }
        } catch {
            verified = loop.makeFailedFuture(error)
        }
        return verified.map { Caller(identity: $0.identity, tokenID: $0.claims.tokenID) }.recover { error in
            Caller(refusal: (error as? AccessTokenVerifier.Rejection)?.description ?? "The token could not be verified.")
        }
    }

    /// The `email` of a sensitive route's small JSON body, so that guesses against one account are limited
    /// wherever they come from.
    static func email(in body: ByteBuffer) -> String? {
        struct EmailField: Decodable { var email: String? }
        let field = try? JSONDecoder().decode(EmailField.self, from: Data(body.readableBytesView))
        return field?.email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The key of `Authorization: ApiKey <key>`.
    static func apiKey(_ authorization: String) -> String? {
        guard authorization.lowercased().hasPrefix("apikey ") else { return nil }
        let key = authorization.dropFirst(7).trimmingOptionalWhitespace
        return key.isEmpty ? nil : String(key)
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
}
