import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Push notices through Firebase Cloud Messaging's HTTP v1 API (`POST /v1/projects/{project}/messages:send`).
/// Its bearer token comes from Google's OAuth server for a JWT signed (RS256) with the service account's key, and
/// is kept until shortly before it expires. A device FCM no longer knows (`UNREGISTERED`, 404) is a permanent
/// failure, so that the worker forgets its token.
struct FCMSender: Sender {
    /// The fields of a service account's JSON key file that matter here.
    struct ServiceAccount: Decodable {
        var project_id: String
        var client_email: String
        var private_key: String
        var token_uri: String
    }

    let account: ServiceAccount
    let baseURL: URL
    let http: HTTPClient
    let logger: Logger
    private let tokens: AccessTokens
    var name: String { "fcm" }

    init(credentials: URL, baseURL: URL, http: HTTPClient, logger: Logger) throws {
        account = try JSONDecoder().decode(ServiceAccount.self, from: Data(contentsOf: credentials))
        self.baseURL = baseURL
        self.http = http
        self.logger = logger
        tokens = AccessTokens(key: try Insecure.RSA.PrivateKey(pem: account.private_key))
    }

    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String {
        let body: [String: Any] = [
            "message": [
                "token": address,
                "notification": ["title": message.subject, "body": message.short],
                "data": ["deliveryKey": key],
            ] as [String: Any]
        ]
        var request = HTTPClientRequest(url: baseURL.appendingPathComponent("v1/projects/\(account.project_id)/messages:send").absoluteString)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(try await tokens.token(for: account, http: http, logger: logger))")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: .seconds(30), logger: logger)
        let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
        guard (200..<300).contains(response.status.code) else { throw SendFailure.http(response.status.code, text) }
        let answer = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return "\(response.status.code) \(answer?["name"] as? String ?? "")"
    }
}

/// Google's OAuth access token for the service account, fetched when missing or about to expire.
private actor AccessTokens {
    struct Assertion: JWTPayload {
        var iss: IssuerClaim
        var scope: String
        var aud: AudienceClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    private let keys = JWTKeyCollection()
    private let key: Insecure.RSA.PrivateKey
    private var current: (token: String, until: Date)?

    init(key: Insecure.RSA.PrivateKey) {
        self.key = key
    }

    func token(for account: FCMSender.ServiceAccount, http: HTTPClient, logger: Logger) async throws -> String {
        if let current, current.until > Date() { return current.token }
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        let now = Date()
        let assertion = try await keys.sign(
            Assertion(
                iss: .init(value: account.client_email), scope: "https://www.googleapis.com/auth/firebase.messaging",
                aud: .init(value: account.token_uri), iat: .init(value: now), exp: .init(value: now.addingTimeInterval(3600))
            ))
        var request = HTTPClientRequest(url: account.token_uri)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"))
        let response = try await http.execute(request, timeout: .seconds(30), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 16)
        let answer = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        guard (200..<300).contains(response.status.code), let token = answer?["access_token"] as? String else {
            throw SendFailure(isPermanent: false, description: "Google's token endpoint answered \(response.status.code): \(String(buffer: body).prefix(300))")
        }
        let lifetime = (answer?["expires_in"] as? Double) ?? 3600
        current = (token, now.addingTimeInterval(lifetime - 60))
        return token
    }
}
