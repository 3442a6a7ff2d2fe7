import CompressNIO
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import Gateway

@Suite struct CompressionTests {
    func fetch(_ client: any TestClientProtocol, _ kind: String, acceptEncoding: String? = "gzip, deflate") async throws -> TestResponse {
        let headers: HTTPFields = acceptEncoding.map { [.acceptEncoding: $0] } ?? [:]
        return try await client.execute(uri: "/api/v1/experiences?body=\(kind)", method: .get, headers: headers) { $0 }
    }

    @Test func largeJSONIsGzippedAndComesBackIntact() async throws {
        try await GatewayHarness.withGateway { client in
            let plain = try await fetch(client, "large", acceptEncoding: nil)
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(plain.headers[.vary]?.contains("Accept-Encoding") == true)

            let zipped = try await fetch(client, "large")
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.headers[.vary]?.contains("Accept-Encoding") == true)
            #expect(zipped.body.readableBytes < plain.body.readableBytes / 5)
            // It came whole from the instance: sent with its length, not chunked.
            #expect(zipped.headers[.contentLength] == String(zipped.body.readableBytes))
            #expect(zipped.headers[.transferEncoding] == nil)
            var body = zipped.body
            let unzipped = try body.decompress(with: .gzip)
            #expect(unzipped == plain.body)
        }
    }

    @Test func streamedBodiesAreCompressedAsTheyStream() async throws {
        try await GatewayHarness.withGateway { client in
            let zipped = try await fetch(client, "stream")
            #expect(zipped.headers[.contentEncoding] == "gzip")
            // Its length was not known when it started.
            #expect(zipped.headers[.contentLength] == nil)
            #expect(zipped.headers[.transferEncoding] == "chunked")
            var body = zipped.body
            let text = String(buffer: try body.decompress(with: .gzip))
            #expect(text == (0..<50).map { "line \($0)\n" }.joined())
        }
    }

    @Test(arguments: ["small", "png", "encoded"])
    func smallUncompressibleOrEncodedBodiesAreLeftAlone(kind: String) async throws {
        try await GatewayHarness.withGateway { client in
            let response = try await fetch(client, kind)
            #expect(response.headers[.contentEncoding] == (kind == "encoded" ? "br" : nil))
        }
    }

    @Test func clientsThatRefuseGzipGetNone() async throws {
        try await GatewayHarness.withGateway { client in
            let refused = try await fetch(client, "large", acceptEncoding: "gzip;q=0, br")
            #expect(refused.headers[.contentEncoding] == nil)
            let anything = try await fetch(client, "large", acceptEncoding: "*")
            #expect(anything.headers[.contentEncoding] == "gzip")
        }
    }

    @Test(arguments: [(1, 9), (1024, 10), (2459, 12), (32768, 15), (100_000, 15)])
    func theWindowFitsTheBody(length: Int, windowBits: Int32) throws {
        let configuration = EdgePolicy.zlibConfiguration(level: 4, length: length)
        #expect(configuration.windowSize == windowBits)
        let original = ByteBuffer(string: String((0..<length).map { _ in "abcdefghij{}\":,".randomElement()! }))
        var input = original
        var zipped = try input.compress(with: .gzip(configuration: configuration))
        #expect(try zipped.decompress(with: .gzip) == original)
    }

    @Test func aBodyOfUnknownLengthGetsTheWholeWindow() {
        #expect(EdgePolicy.zlibConfiguration(level: 4, length: nil).windowSize == 15)
    }

    @Test func compressibleTypes() {
        #expect(EdgePolicy.isCompressible("application/problem+json"))
        #expect(EdgePolicy.isCompressible("text/html; charset=utf-8"))
        #expect(EdgePolicy.isCompressible("image/svg+xml"))
        #expect(!EdgePolicy.isCompressible("image/png"))
        #expect(!EdgePolicy.isCompressible(nil))
    }

    @Test(arguments: [
        ("gzip", true), ("GZip", true), ("br, gzip;q=0.5", true), ("deflate, gzip, br, zstd", true), (" gzip ; q=1.0", true),
        ("*;q=0.1", true), ("gzip;q=0", false), ("gzip; q=0.0, br", false), ("identity", false), ("gzipx, br", false), ("", false),
        ("gzip;q=0, *", false), ("*, gzip;q=0", false), ("br, *;q=0", false), ("é, gzip", true), (" , GZIP ,", true), ("gzíp", false),
    ])
    func acceptedEncodings(header: String, acceptsGzip: Bool) {
        #expect(EdgePolicy.acceptsGzip(header) == acceptsGzip)
    }
}
