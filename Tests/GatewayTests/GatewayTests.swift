import Contracts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
import TestSupport

@Suite struct GatewayServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.gateway, build: buildApplication(configuration:))
    }

    /// A stand-in Booking that echoes what reached it.
    static func echoRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.on("**", method: .get) { request, _ -> Response in
            if request.uri.path.hasSuffix("/slow") {
                try await Task.sleep(for: .seconds(2))
            }
            let echo = [
                "path": request.uri.path,
                "query": request.uri.query ?? "",
                "requestId": request.headers[.requestID] ?? "",
            ]
            return try Response(
                status: .accepted,
                headers: [.contentType: "application/json", HTTPField.Name("X-Upstream")!: "booking"],
                body: .init(byteBuffer: ByteBuffer(bytes: JSONEncoder().encode(echo)))
            )
        }
        router.on("**", method: .post) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .created, body: .init(byteBuffer: body))
        }
        return router
    }

    @Test func forwardsToTheOwningServiceAndStreamsTheAnswerBack() async throws {
        try await withStandIn(Self.echoRouter()) { port in
            let app = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, ["BOOKING_URL": "http://127.0.0.1:\(port)"]))
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/experiences/42?guests=2", method: .get, headers: [.requestID: "trace-1"]) { response in
                    #expect(response.status == .accepted)
                    #expect(response.headers[HTTPField.Name("X-Upstream")!] == "booking")
                    #expect(response.headers[.requestID] == "trace-1")
                    let echo = try response.decode([String: String].self)
                    #expect(echo == ["path": "/api/v1/experiences/42", "query": "guests=2", "requestId": "trace-1"])
                }
                let payload = String(repeating: "x", count: 100_000)
                try await client.execute(uri: "/api/v1/bookings", method: .post, body: ByteBuffer(string: payload)) { response in
                    #expect(response.status == .created)
                    #expect(response.text == payload)
                }
            }
        }
    }

    @Test func answersProblemDetailsWhenTheOwnerIsDown() async throws {
        let closedPort = try TestEnvironment.freePort()
        let app = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, ["BOOKING_URL": "http://127.0.0.1:\(closedPort)"]))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/bookings", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                let problem = try #require(response.problem)
                #expect(problem.status == 503)
                #expect(problem.requestId == response.headers[.requestID])
            }
        }
    }

    @Test func answersGatewayTimeoutWhenTheOwnerIsTooSlow() async throws {
        try await withStandIn(Self.echoRouter()) { port in
            let app = try await buildApplication(
                configuration: try TestEnvironment.configuration(.gateway, ["SEARCH_URL": "http://127.0.0.1:\(port)", "UPSTREAM_TIMEOUT_MS": "200"])
            )
            try await app.test(.router) { client in
                try await client.execute(uri: "/api/v1/search/slow", method: .get) { response in
                    #expect(response.status == .gatewayTimeout)
                    #expect(response.problem?.status == 504)
                }
            }
        }
    }

    @Test(arguments: ["/internal/v1/notifications", "/api/v1/bookings/../../internal/v1/x", "/api/v1/bookings/%2e%2e/x", "/nowhere"])
    func neverRoutesInternalOrUnknownPaths(path: String) async throws {
        try await withStandIn(Self.echoRouter()) { port in
            let upstreams = ServiceName.allCases.filter { $0 != .gateway }.reduce(into: [String: String]()) {
                $0["\($1.rawValue.uppercased())_URL"] = "http://127.0.0.1:\(port)"
            }
            let app = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, upstreams))
            try await app.test(.router) { client in
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                    #expect(response.headers[HTTPField.Name("X-Upstream")!] == nil)
                }
            }
        }
    }
}
