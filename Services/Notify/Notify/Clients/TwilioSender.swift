import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// SMS through Twilio's REST API: `POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, basic auth with
/// the account SID and auth token. Twilio answers 201 with the message's `sid`, or an error object
/// `{code, message, status}`.
struct TwilioSender: Sender {
    let accountSID: String
    let authToken: String
    /// A phone number (`+1…`) or a messaging service (`MG…`).
    let from: String
    let baseURL: URL
    let http: HTTPClient
    let logger: Logger
    var name: String { "twilio" }

    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let sender = from.hasPrefix("MG") ? "MessagingServiceSid" : "From"
        let form = [("To", address), (sender, from), ("Body", message.short)]
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: baseURL.appendingPathComponent("2010-04-01/Accounts/\(accountSID)/Messages.json").absoluteString)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic \(Data("\(accountSID):\(authToken)".utf8).base64EncodedString())")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await http.execute(request, timeout: .seconds(30), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 16)
        guard (200..<300).contains(response.status.code) else { throw SendFailure.http(response.status.code, String(buffer: body)) }
        let answer = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        return "\(response.status.code) \(answer?["sid"] as? String ?? "")"
    }
}
