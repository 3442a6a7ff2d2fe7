import AsyncHTTPClient
import Contracts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Redis
import ServiceKit
import TestSupport

/// What the stand-in upstream saw of a request.
struct Echo: Codable, Equatable {
    var path: String
    var query: String
    var headers: [String: String]
}

/// A gateway in front of one stand-in that plays every service: it publishes the test signing key as Auth's
/// JWKS, echoes GETs (what reached it), returns POST bodies, and is slow on `…/slow`.
extension HTTPField.Name {
    /// Which stand-in instance answered.
    static let instance = HTTPField.Name("X-Instance")!
}

enum GatewayHarness {
    static let tokens = TestTokens()
    static let redis = try! TestEnvironment.redis(logger: Logger(label: "gateway-tests"))

    /// The owner of the stand-in's API keys: `mgk_reader` may read, `mgk_writer` may also write.
    static let apiKeyOwner = UUID()
    /// How many introspections reached the stand-in Auth.
    static let introspections = NIOLockedValueBox(0)
    /// The `mark` query parameters of the requests that reached `…/slow`.
    static let slowArrivals = NIOLockedValueBox<Set<String>>([])
    /// The `mark`s of the requests that reached `…/smuggled`, which no client sends as a request.
    static let smuggledArrivals = NIOLockedValueBox<Set<String>>([])

    static func standIn(instance: String = "a") -> Router<BasicRequestContext> {
        let router = Router()
        tokens.publish(on: router)
        router.post("internal/v1/api-keys/introspect") { request, _ -> Response in
            introspections.withLockedValue { $0 += 1 }
            let key = try JSONDecoder().decode(APIKeyIntrospection.Request.self, from: try await request.body.collect(upTo: 4096)).key
            let scopes: [APIKeyScope]
            switch key {
            case "mgk_reader": scopes = [.read]
            case "mgk_writer": scopes = [.read, .write]
            default: return Response(status: .notFound)
            }
            let answer = APIKeyIntrospection(
                userId: apiKeyOwner, role: .provider, scopes: scopes, accessToken: try await tokens.token(for: apiKeyOwner, role: .provider), expiresIn: 300
            )
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(answer))))
        }
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string:
                            #"{"openapi": "3.1.0", "paths": {"/api/v1/things": {"get": {"summary": "List things"}}}, "components": {"schemas": {"Thing": {"type": "object"}}}}"#
                    ))
            )
        }
        router.on("**", method: .get) { request, _ -> Response in
            if request.uri.path.hasSuffix("/smuggled"), let mark = request.uri.queryParameters.get("mark") {
                smuggledArrivals.withLockedValue { _ = $0.insert(mark) }
            }
            if request.uri.path.hasSuffix("/slow") {
                if let mark = request.uri.queryParameters.get("mark") { slowArrivals.withLockedValue { _ = $0.insert(mark) } }
                try await Task.sleep(for: .seconds(2))
            }
            if let kind = request.uri.queryParameters.get("body") {
                return Self.body(kind)
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let echo = Echo(path: request.uri.path, query: request.uri.query ?? "", headers: headers)
            return try Response(
                status: .accepted,
                headers: [.contentType: "application/json", HTTPField.Name("X-Powered-By")!: "Express", .instance: instance, .requestID: "upstream's own"],
                body: .init(byteBuffer: ByteBuffer(bytes: JSONEncoder().encode(echo)))
            )
        }
        router.on("**", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 22)
            return Response(status: .created, headers: [.contentType: "text/plain"], body: .init(byteBuffer: body))
        }
        return router
    }

    /// Bodies for the compression rules: large JSON, small JSON, a PNG, and JSON the upstream already encoded.
    static func body(_ kind: String) -> Response {
        let json = ByteBuffer(string: "{\"items\": [" + Array(repeating: "{\"title\": \"Cenote tour\"}", count: 200).joined(separator: ",") + "]}")
        switch kind {
        case "small": return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        case "png": return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: json))
        case "encoded": return Response(status: .ok, headers: [.contentType: "application/json", .contentEncoding: "br"], body: .init(byteBuffer: json))
        case "stream":
            return Response(
                status: .ok, headers: [.contentType: "text/plain"],
                body: .init { writer in
                    for line in 0..<50 {
                        try await writer.write(ByteBuffer(string: "line \(line)\n"))
                        // In two bursts half a second apart, so that the gateway gets it in more than one read even
                        // on a busy machine.
                        if line == 24 { try await Task.sleep(for: .milliseconds(500)) }
                    }
                    try await writer.finish(nil)
                })
        default: return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: json))
        }
    }

    /// Variables pointing every service at `port`.
    static func upstreams(_ port: Int) -> [String: String] {
        ServiceName.allCases.filter { $0 != .gateway }.reduce(into: [String: String]()) {
            $0["\($1.rawValue.uppercased())_URL"] = "http://127.0.0.1:\(port)"
        }
    }

    /// Runs `body` with two gateway instances on real sockets (so that client addresses and
    /// `X-Forwarded-For` from the trusted loopback count) in front of the stand-in, sharing one Redis.
    static func withLiveGateways<Value: Sendable>(
        _ overrides: [String: String] = [:],
        _ body: @escaping @Sendable (any TestClientProtocol, any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await withStandIn(standIn()) { port in
            let variables = upstreams(port).merging(["TRUSTED_PROXIES": "127.0.0.1"]) { $1 }.merging(overrides) { $1 }
            let first = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, variables))
            let second = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, variables))
            return try await first.test(.live) { one in
                try await second.test(.live) { two in
                    try await body(one, two)
                }
            }
        }
    }

    /// A client address of its own for each test, so that tests do not share rate limit buckets.
    static func uniqueClientAddress() -> String {
        "198.51.100.\(Int.random(in: 1...254))"
    }

    /// Runs `body` with a gateway on a real socket (the proxy is a channel handler) in front of the stand-in.
    /// A plain GET to `url`: its body as text and its status.
    static func get(_ url: String) async throws -> (String, Int) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        return (String(buffer: try await response.body.collect(upTo: 8 << 20)), Int(response.status.code))
    }

    static func withGateway<Value: Sendable>(
        _ overrides: [String: String] = [:],
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await withStandIn(standIn()) { port in
            let configuration = try TestEnvironment.configuration(.gateway, upstreams(port).merging(overrides) { $1 })
            return try await buildApplication(configuration: configuration).test(.live) { client in
                try await body(client)
            }
        }
    }
}
