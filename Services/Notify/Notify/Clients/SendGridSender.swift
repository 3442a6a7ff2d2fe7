import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Email through SendGrid's v3 API (`POST /v3/mail/send`), the delivery key in `custom_args` so that a repeat can
/// be found in SendGrid's activity. SendGrid answers 202 and names the message in `X-Message-Id`.
struct SendGridSender: Sender {
    let apiKey: String
    let baseURL: URL
    let from: String
    let fromName: String
    let http: HTTPClient
    let logger: Logger
    var name: String { "sendgrid" }

    private struct Mail: Encodable {
        struct Address: Encodable {
            var email: String
            var name: String?
        }

        struct Personalization: Encodable {
            var to: [Address]
        }

        struct Content: Encodable {
            var type: String
            var value: String
        }

        var personalizations: [Personalization]
        var from: Address
        var subject: String
        var content: [Content]
        var custom_args: [String: String]
    }

    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String {
        let mail = Mail(
            personalizations: [.init(to: [.init(email: address)])], from: .init(email: from, name: fromName), subject: message.subject,
            content: [.init(type: "text/plain", value: message.text), .init(type: "text/html", value: message.html)],
            custom_args: ["delivery_key": key]
        )
        var request = HTTPClientRequest(url: baseURL.appendingPathComponent("v3/mail/send").absoluteString)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(mail)))
        let response = try await http.execute(request, timeout: .seconds(30), logger: logger)
        let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
        guard (200..<300).contains(response.status.code) else { throw SendFailure.http(response.status.code, body) }
        return "\(response.status.code) \(response.headers.first(name: "X-Message-Id") ?? "")"
    }
}
