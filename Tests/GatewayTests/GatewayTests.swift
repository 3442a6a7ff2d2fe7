import Contracts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import ServiceKit
import TestSupport
import Testing

@Suite struct GatewayServiceTests {
    @Test func pipelinedRequestsAreAnsweredInOrderWhicheverSideAnswers() async throws {
        try await GatewayHarness.withGateway { client in
            // The router answers /health and the unknown API path, the proxy the API: the answers come back as asked,
            // and the connection closes after the last, which asks for it.
            let requests = ["/health", "/api/v1/experiences/1", "/api/v1/nowhere", "/health", "/api/v1/experiences/2"]
            let text = requests.enumerated().map { index, path in
                "GET \(path) HTTP/1.1\r\nHost: gateway\r\n" + (index == requests.count - 1 ? "Connection: close\r\n" : "") + "\r\n"
            }.joined()
            let (answers, closed) = try await RawConnection.exchangeUntilClosed(text, port: client.port!)
            #expect(closed, "the gateway did not close the connection")
            let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses == ["200", "202", "404", "200", "202"])
            // The stand-in echoes each path (JSONEncoder writes `/` as `\/`).
            let echoed = answers.replacingOccurrences(of: "\\/", with: "/")
            let first = try #require(echoed.range(of: #""path":"/api/v1/experiences/1""#))
            let second = try #require(echoed.range(of: #""path":"/api/v1/experiences/2""#))
            #expect(first.lowerBound < second.lowerBound)
        }
    }

    @Test func hopByHopHeadersAreNotForwarded() async throws {
        try await GatewayHarness.withGateway { client in
            // Those RFC 9110 names, and those the client's Connection header names; the rest goes on.
            let text =
                "GET /api/v1/experiences/1 HTTP/1.1\r\nHost: gateway\r\nConnection: X-Secret, close\r\nX-Secret: 1\r\n"
                + "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nX-Kept: yes\r\n\r\n"
            let answer = try await RawConnection.exchange(text, port: client.port!)
            let body = try #require(answer.range(of: "\r\n\r\n").map { answer[$0.upperBound...] })
            let echo = try JSONDecoder().decode(Echo.self, from: Data(body.utf8))
            #expect(echo.headers["x-kept"] == "yes")
            for name in ["connection", "x-secret", "keep-alive", "te", "proxy-authorization"] {
                #expect(echo.headers[name] == nil, "\(name) reached the upstream")
            }
        }
    }

    /// A request hidden in a body must never reach an instance as a request of its own: it would skip the gateway's
    /// checks, and its answer could go to the next client of that pooled connection.
    @Test(arguments: ["TRACE with a length", "GET chunked", "DELETE chunked"])
    func aBodyNeverReachesTheInstanceAsARequest(_ framing: String) async throws {
        try await GatewayHarness.withGateway { client in
            let mark = UUID().uuidString
            let hidden = "GET /api/v1/search/smuggled?mark=\(mark) HTTP/1.1\r\nHost: booking\r\nX-User-Id: someone-else\r\n\r\n"
            let method = String(framing.prefix { $0 != " " })
            let carrier =
                framing.hasSuffix("chunked")
                ? "\(method) /api/v1/search/carrier HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + String(hidden.utf8.count, radix: 16) + "\r\n\(hidden)\r\n0\r\n\r\n"
                : "\(method) /api/v1/search/carrier HTTP/1.1\r\nHost: gateway\r\nContent-Length: \(hidden.utf8.count)\r\n\r\n\(hidden)"
            let honest = "GET /api/v1/search/honest HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n"
            let answers = try await RawConnection.exchange(carrier + honest, port: client.port!)
            let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
            #expect(statuses.count == 2, "\(answers)")
            #expect(statuses.last == "202")
            #expect(answers.replacingOccurrences(of: "\\/", with: "/").contains(#""path":"/api/v1/search/honest""#))
            // What the instance got as requests: the carrier and the honest one, never the hidden one.
            try await Task.sleep(for: .milliseconds(300))
            #expect(!GatewayHarness.smuggledArrivals.withLockedValue { $0.contains(mark) })
        }
    }

    @Test func connectionsWithoutARequestUnderWayAreClosed() async throws {
        try await GatewayHarness.withGateway(["CLIENT_IDLE_TIMEOUT_MS": "300"]) { client in
            // Kept alive after its answer, then closed once idle, whether the client sends nothing more or only
            // part of the next request's head.
            for next in ["", "GET /api/v1/exper"] {
                let (answers, closed) = try await RawConnection.exchangeUntilClosed(
                    "GET /api/v1/experiences/1 HTTP/1.1\r\nHost: gateway\r\n\r\n" + next, port: client.port!)
                #expect(closed, "the idle connection was not closed")
                #expect(answers.hasPrefix("HTTP/1.1 202"))
            }
        }
    }

    @Test func aGracefulShutdownLetsAProxiedRequestInFlightFinish() async throws {
        let inFlight = try await GatewayHarness.withGateway { client in
            // The stand-in takes 2 s over …/slow; the gateway is told to shut down meanwhile, when this returns,
            // once the request reached the stand-in (on a busy machine it can take longer than a fixed wait).
            let port = client.port!
            let mark = UUID().uuidString
            let exchange = Task {
                try await RawConnection.exchange("GET /api/v1/search/slow?mark=\(mark) HTTP/1.1\r\nHost: gateway\r\n\r\n", port: port)
            }
            #expect(await eventually { GatewayHarness.slowArrivals.withLockedValue { $0.contains(mark) } })
            return exchange
        }
        let answer = try await inFlight.value
        #expect(answer.hasPrefix("HTTP/1.1 202"), "the request was cut off: \(answer.prefix(80))")
    }

    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.gateway, build: buildApplication(configuration:))
        #expect(readiness == Readiness(status: .ok, checks: [:]))
    }

    /// The public port says whether the gateway is alive and ready, nothing more; the details and the metrics are on
    /// the operators' port, on loopback unless `ADMIN_HOST` says otherwise.
    @Test func metricsAndReadinessDetailsAreOnTheOperatorsPortOnly() async throws {
        let admin = try TestEnvironment.freePort()
        try await GatewayHarness.withGateway(["ADMIN_PORT": "\(admin)"]) { client in
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
            // Ready once it has Auth's keys, which the first `/ready` fetches.
            let ready = try await eventually { try await client.execute(uri: "/ready", method: .get) { $0.status == .ok } }
            #expect(ready)
            let readiness = try await client.execute(uri: "/ready", method: .get) { try $0.decode(Readiness.self) }
            #expect(readiness == Readiness(status: .ok, checks: [:]))
            let details = try await eventually {
                let (body, answer) = try await GatewayHarness.get("http://127.0.0.1:\(admin)/ready")
                return answer == 200 && body.contains(#""redis":"ok""#)
            }
            #expect(details)
            let (metrics, status) = try await GatewayHarness.get("http://127.0.0.1:\(admin)/metrics")
            #expect(status == 200)
            #expect(metrics.contains("http_server_request_duration"))
        }
    }

    @Test func forwardsToTheOwningServiceAndStreamsTheAnswerBack() async throws {
        let token = try await GatewayHarness.tokens.token()
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/api/v1/experiences/42?guests=2", method: .get, headers: [.requestID: "trace-1"]) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[values: .requestID] == ["trace-1"])
                let echo = try response.decode(Echo.self)
                #expect(echo.path == "/api/v1/experiences/42")
                #expect(echo.query == "guests=2")
                #expect(echo.headers["x-request-id"] == "trace-1")
            }
            // Bodies stream both ways, with back-pressure on each side: small and large ones arrive intact.
            for size in [2_000, 300_000, 4_000_000] {
                let payload = String((0..<size).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
                try await client.execute(
                    uri: "/api/v1/bookings",
                    method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"],
                    body: ByteBuffer(string: payload)
                ) { response in
                    #expect(response.status == .created)
                    let unchanged = response.text == payload
                    #expect(unchanged, "the body of \(size) bytes came back changed")
                }
            }
        }
    }

    @Test func metricsCountRouteFamiliesAndShowUpstreamHealth() async throws {
        let admin = try TestEnvironment.freePort()
        try await GatewayHarness.withGateway(["UPSTREAM_HEALTH_INTERVAL_MS": "50", "ADMIN_PORT": "\(admin)"]) { client in
            try await client.execute(uri: "/api/v1/experiences/7", method: .get) { #expect($0.status == .accepted) }
            let reported = try await eventually {
                let (metrics, _) = try await GatewayHarness.get("http://127.0.0.1:\(admin)/metrics")
                return metrics.contains(#"http_route="/api/v1/experiences""#) && metrics.contains(#"mayago_gateway_upstream_healthy{service="booking""#)
            }
            #expect(reported)
        }
    }

    @Test func aNewRequestIDIsMadeWhenTheClientsIsNotPlain() async throws {
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/api/v1/experiences", method: .get, headers: [.requestID: "evil\nid"]) { response in
                let id = try #require(response.headers[.requestID])
                #expect(UUID(uuidString: id) != nil)
                #expect(try response.decode(Echo.self).headers["x-request-id"] == id)
            }
        }
    }

    @Test func answersServiceUnavailableWhenTheOwnerIsDown() async throws {
        let closedPort = try TestEnvironment.freePort()
        let app = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, ["SEARCH_URL": "http://127.0.0.1:\(closedPort)"]))
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/v1/search?q=cenote", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                let problem = try #require(response.problem)
                #expect(problem.status == 503)
                #expect(problem.requestId == response.headers[.requestID])
            }
        }
    }

    @Test func answersGatewayTimeoutWhenTheOwnerIsTooSlow() async throws {
        try await GatewayHarness.withGateway(["UPSTREAM_TIMEOUT_MS": "200"]) { client in
            try await client.execute(uri: "/api/v1/search/slow", method: .get) { response in
                #expect(response.status == .gatewayTimeout)
                #expect(response.problem?.status == 504)
            }
        }
    }

    @Test func answersBadGatewayWhenTheOwnerSpeaksNonsense() async throws {
        let garbage = try GarbageServer()
        defer { garbage.close() }
        let app = try await buildApplication(configuration: try TestEnvironment.configuration(.gateway, ["SEARCH_URL": "http://127.0.0.1:\(garbage.port)"]))
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/v1/search", method: .get) { response in
                #expect(response.status == .badGateway)
                #expect(response.problem?.status == 502)
            }
        }
    }

    @Test(arguments: [
        "/internal/v1/notifications", "/api/v1/bookings/../../internal/v1/x", "/api/v1/bookings/%2e%2e/x", "/api/v1/bookings%2F..%2Finternal",
        "/api/v1/nowhere",
    ])
    func neverRoutesInternalOrUnknownPaths(path: String) async throws {
        let token = try await GatewayHarness.tokens.token(role: .admin)
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
            }
        }
    }
}
