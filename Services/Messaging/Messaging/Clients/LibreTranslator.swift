import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceKit

/// LibreTranslate's `POST /translate` (self-hosted or libretranslate.com): the source language is detected.
struct LibreTranslator: Translator {
    let baseURL: URL
    let apiKey: String?
    let http: HTTPClient
    let name = "libretranslate"

    private struct Request: Encodable {
        var q: String
        var source = "auto"
        var target: String
        var format = "text"
        var api_key: String?
    }

    private struct Answer: Decodable {
        var translatedText: String
    }

    struct Failure: Error, CustomStringConvertible {
        var status: UInt
        var body: String
        var description: String { "LibreTranslate answered \(status): \(body.prefix(200))" }
    }

    func translate(_ text: String, to language: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL.appendingPathComponent("translate").absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(Request(q: text, target: language, api_key: apiKey))))
        let response = try await http.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200 else { throw Failure(status: response.status.code, body: String(buffer: body)) }
        return try JSONDecoder().decode(Answer.self, from: body).translatedText
    }
}
