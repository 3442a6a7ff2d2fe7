import Contracts
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOHTTPTypesHTTP1
import ServiceKit

/// Who is calling and whether they may, for a request to be proxied: the credential verified (a bearer token,
/// or an API key that Auth exchanges for an access token, so that services only ever see access tokens), the
/// request charged to its rate limit buckets (the same Redis round trip tells whether the token was revoked:
/// the request then goes on as anonymous), and the route's access rule applied. A refusal is a failure with its
/// ``Problem``.
struct Admission: Sendable {
    /// A request let through.
    struct Admitted: Sendable {
        var identity: Identity?
        /// The identity's user id as text (lower case), as it is forwarded and logged.
        var userID: String?
        /// What to send upstream as `Authorization` in place of the client's (an API key's access token).
        var authorization: String?
        /// The rate limit's state, for the answer's `RateLimit-*` headers.
        var rateLimit: RateLimitDecision
    }

    /// What admission reads of a request.
    struct Request {
        var method: HTTPRequest.Method
        /// The request target as sent, with its query.
        var target: String
        /// The target's path, without the query.
        var path: String
        var authorization: String?
    }

    /// Who a credential says the caller is, before the rate limit is asked about the token.
    struct Caller: Sendable {
        var identity: Identity?
        var userID: String?
        var tokenID: String?
        /// A verified token's claims, whose expiry is checked again when the token comes back.
        var claims: AccessClaims?
        var authorization: String?
        /// Why a presented credential was refused, for the 401 if the route needs one.
        var refusal: String?
    }

    let tokens: TokenAuthenticator
    let apiKeys: APIKeyAuthenticator
    let limiter: RateLimiter
    let policy: RateLimitPolicy
    let rules: AccessRules

    /// `email` is the one a sensitive route's body names, `client` the caller's address. `decide` runs on the
    /// loop of `local`, at once when nothing needs to be waited for.
    func admit(
        _ request: Request, client: String, email: String?, requestID: String, on local: LoopState,
        then decide: @escaping (Result<Admitted, any Error>) -> Void
    ) {
        let buckets = { (userID: String?) in policy.buckets(path: request.path, client: client, userID: userID, email: email) }
        caller(of: request, requestID: requestID, on: local) { [self] found in
            let caller: Caller
            switch found {
            case .success(let found): caller = found
            case .failure(let error): return decide(.failure(error))
            }
            limiter.check(buckets(caller.userID), unlessRevoked: caller.tokenID, on: local) { [self] decision in
                if let decision { return decide(Result { try admitted(caller, decision, request) }) }
                // Revoked: charged as anonymous instead (without a token there is nothing revoked, so a decision).
                let anonymous = Caller(refusal: AccessTokenVerifier.Rejection.revoked.description)
                limiter.check(buckets(nil), unlessRevoked: nil, on: local) { [self] decision in
                    decide(Result { try admitted(anonymous, decision!, request) })
                }
            }
        }
    }

    /// The request let through, or the refusal (429, 401) as a ``Problem``.
    private func admitted(_ caller: Caller, _ decision: RateLimitDecision, _ request: Request) throws -> Admitted {
        guard decision.allowed else {
            var headers = HTTPHeaders()
            decision.appendHeaders(to: &headers)
            headers.add(name: "Retry-After", value: String(decision.retryAfterSeconds))
            throw Problem(
                .tooManyRequests, detail: "Too many requests: try again in \(decision.retryAfterSeconds) s.",
                headers: HTTPFields(headers, splitCookie: false)
            )
        }
        if caller.identity == nil, !rules.admitsAnonymous(request.method, request.path) {
            throw Problem.unauthorized(caller.refusal ?? "Sign in: this needs an access token.")
        }
        return Admitted(identity: caller.identity, userID: caller.userID, authorization: caller.authorization, rateLimit: decision)
    }

    private func caller(of request: Request, requestID: String, on local: LoopState, then found: @escaping (Result<Caller, any Error>) -> Void) {
        let loop = local.redis.loop
        let authorization = request.authorization
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
                return Caller(
                    identity: Identity(userID: answer.userId, role: answer.role), userID: answer.userId.lowercasedString,
                    authorization: "Bearer \(answer.accessToken)"
                )
            }.assumeIsolated().whenComplete(found)
        }
        let token = TokenAuthenticator.token(
            authorization: authorization, path: request.path,
            token: URLComponents(string: request.target)?.queryItems?.first { $0.name == "token" }?.value
        )
        guard let token else {
            return found(.success(Caller()))
        }
        // A client sends the same token for its whole life: after the first request on this loop, only its
        // expiry is checked again.
        if let known = local.verifiedCaller(for: token) {
            do {
                try known.claims.map(tokens.checkStillValid)
                return found(.success(known))
            } catch {
                return found(.success(Self.refused(error)))
            }
        }
        loop.makeFutureWithTask { [tokens] in try await tokens.verify(token) }.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let verified):
                let caller = Caller(
                    identity: verified.identity, userID: verified.identity.userID.lowercasedString, tokenID: verified.claims.tokenID,
                    claims: verified.claims
                )
                local.remember(caller, for: token)
                found(.success(caller))
            case .failure(let unavailable as AccessTokenVerifier.KeysUnavailable):
                found(.failure(unavailable.problem))
            case .failure(let error):
                found(.success(Self.refused(error)))
            }
        }
    }

    /// A caller whose token was refused: anonymous, with the reason kept for a 401.
    private static func refused(_ error: any Error) -> Caller {
        Caller(refusal: (error as? AccessTokenVerifier.Rejection)?.description ?? "The token could not be verified.")
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
        guard authorization.hasPrefixIgnoringCase("apikey ") else { return nil }
        let key = authorization.dropFirst(7).trimmingOptionalWhitespace
        return key.isEmpty ? nil : String(key)
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}

extension RateLimitDecision {
    /// The `RateLimit-Limit`, `-Remaining` and `-Reset` headers.
    func appendHeaders(to headers: inout HTTPHeaders) {
        headers.add(name: "RateLimit-Limit", value: String(limit))
        headers.add(name: "RateLimit-Remaining", value: String(remaining))
        headers.add(name: "RateLimit-Reset", value: String(resetSeconds))
    }
}
