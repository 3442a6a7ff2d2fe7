import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Plain HTTP calls from the tests, as a client of the public API would make them.
enum HTTP {
    struct Answer {
        let statusCode: Int
        let headers: [String: String]
        let body: Data
    }

    static func get(_ url: URL, headers: [String: String] = [:]) async throws -> (Data, Answer) {
        try await send("GET", url, headers: headers, body: nil)
    }

    static func send(_ method: String, _ url: URL, headers: [String: String] = [:], body: Data?) async throws -> (Data, Answer) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 10 << 20)
        let data = Data(buffer: bytes)
        let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { first, _ in first }
        return (data, Answer(statusCode: Int(response.status.code), headers: headers, body: data))
    }
}
