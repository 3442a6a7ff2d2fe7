import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit

/// Finds out who is calling. A bearer token is verified (see ``TokenAuthenticator``); an API key is looked up at
/// Auth (see ``APIKeyAuthenticator``) and replaced by the access token Auth hands for it, so that services only
/// ever see access tokens. A verified caller becomes the context's identity (the proxy forwards it as `X-User-Id`
/// and `X-User-Role`, never what the client sent); why a credential was refused is kept for ``AccessMiddleware``.
/// Whether a token was revoked is asked by ``RateLimitMiddleware``, in the same Redis round trip as the limit.
struct IdentityMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let tokens: TokenAuthenticator
    let apiKeys: APIKeyAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let authorization = request.headers[.authorization]
        if let key = authorization.flatMap(Self.apiKey) {
            switch try await authenticateKey(key, context: context) {
            case .accepted(let answer):
                guard answer.scopes.contains(.write) || Self.isSafe(request.method) else {
                    throw Problem.forbidden("This API key may only read.")
                }
                context.identity = Identity(userID: answer.userId, role: answer.role)
                context.notes.userID = answer.userId.uuidString.lowercased()
                var head = request.head
                head.headerFields[.authorization] = "Bearer \(answer.accessToken)"
                request = Request(head: head, body: request.body)
            case .refused:
                context.authenticationFailure = "The API key is invalid or revoked."
            }
        } else if let token = TokenAuthenticator.token(authorization: authorization, path: request.uri.path, token: request.uri.queryParameters.get("token")) {
            do {
                let (identity, claims) = try await tokens.verify(token)
                context.identity = identity
                context.claims = claims
                context.notes.userID = identity.userID.uuidString.lowercased()
            } catch let rejection as AccessTokenVerifier.Rejection {
                context.authenticationFailure = rejection.description
            }
        }
        return try await next(request, context)
    }

    private func authenticateKey(_ key: String, context: Context) async throws -> APIKeyAuthenticator.Outcome {
        do {
            return try await apiKeys.authenticate(key, requestID: context.requestID)
        } catch {
            context.logger.warning("Cannot check an API key with Auth", metadata: ["error": "\(error)"])
            throw Problem(.serviceUnavailable, detail: "API keys cannot be checked right now; try again shortly.", headers: [.retryAfter: "5"])
        }
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
