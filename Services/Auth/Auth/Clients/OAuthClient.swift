import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The two calls of the authorization-code flow on the provider's side: the code for a token (form-encoded, with
/// the PKCE verifier), then the token for the user's profile.
struct OAuthClient: Sendable {
    let http: HTTPClient
    let logger: Logger

    /// The provider refused or answered something unreadable; the message is for the log, not the client.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func profile(_ provider: OAuthProvider, code: String, codeVerifier: String, redirectURI: String) async throws -> OAuthProvider.Profile {
        let form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("client_id", provider.clientID), ("client_secret", provider.clientSecret), ("code_verifier", codeVerifier),
        ]
        var tokenRequest = HTTPClientRequest(url: provider.tokenURL.absoluteString)
        tokenRequest.method = .POST
        tokenRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        tokenRequest.headers.add(name: "Accept", value: "application/json")
        tokenRequest.body = .bytes(ByteBuffer(string: Self.formEncoded(form)))
        let token = try await json(tokenRequest)
        guard let accessToken = token["access_token"] as? String else {
            throw Failure(description: "token endpoint: \(token["error"] ?? "no access_token") \(token["error_description"] ?? "")")
        }

        var profileRequest = HTTPClientRequest(url: provider.userInfoURL.absoluteString)
        profileRequest.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        profileRequest.headers.add(name: "Accept", value: "application/json")
        guard let profile = provider.profile(from: try await json(profileRequest)) else {
            throw Failure(description: "userinfo endpoint: no subject")
        }
        return profile
    }

    private func json(_ request: HTTPClientRequest) async throws -> [String: Any] {
        let response = try await http.execute(request, timeout: .seconds(10), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            throw Failure(description: "\(request.url) answered \(response.status.code) without JSON")
        }
        return object
    }

    /// `application/x-www-form-urlencoded` as RFC 6749 §4.1.3 wants it.
    static func formEncoded(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
