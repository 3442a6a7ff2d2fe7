import NIOHTTP1
import ServiceKit
import Testing

@testable import Gateway

@Suite struct ForwardedHeadTests {
    let request = HTTPRequestHead(
        version: .http1_1, method: .POST, uri: "/api/v1/bookings?x=1",
        headers: [
            "Host": "api.mayago.example", "Connection": "keep-alive, X-Secret", "X-Secret": "drop me", "Keep-Alive": "timeout=5",
            "Transfer-Encoding": "chunked", "X-User-Id": "forged", "x-user-role": "admin", "X-Request-Id": "client-chosen",
            "Authorization": "Bearer client", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "forged.example",
            ClientAddressSeal.header: "forged-seal", "Accept": "application/json", "Content-Type": "application/json",
        ]
    )

    @Test func theInstanceGetsTheEndToEndHeadersAndOnlyWhatTheGatewaySays() {
        var forwarded = ForwardedHead(requestID: "req-1", authorization: "Bearer minted", peer: "198.51.100.2", sealedClient: "sealed")
        forwarded.user = ("3f0c…", "traveler")
        let head = forwarded.head(of: request, to: "/api/v1/bookings?x=1", on: "booking-1:8082")
        #expect(head.version == .http1_1)
        #expect(head.method == .POST)
        #expect(head.uri == "/api/v1/bookings?x=1")
        let headers = head.headers
        #expect(headers["Host"] == ["booking-1:8082"])
        #expect(headers["X-Request-Id"] == ["req-1"])
        #expect(headers["Authorization"] == ["Bearer minted"])
        #expect(headers["X-User-Id"] == ["3f0c…"])
        #expect(headers["X-User-Role"] == ["traveler"])
        #expect(headers["X-Forwarded-For"] == ["203.0.113.7, 198.51.100.2"])
        #expect(headers["X-Forwarded-Host"] == ["api.mayago.example"])
        #expect(headers[ClientAddressSeal.header] == ["sealed"])
        #expect(headers["Accept"] == ["application/json"])
        #expect(headers["Content-Type"] == ["application/json"])
        // The client's chunked body goes on chunked (NIO's encoder chunks it again).
        #expect(headers["Transfer-Encoding"] == ["chunked"])
        for gone in ["Connection", "X-Secret", "Keep-Alive"] { #expect(!headers.contains(name: gone), "\(gone)") }
    }

    @Test func anAnonymousRequestKeepsItsOwnCredentialAndCarriesNoUser() {
        let head = ForwardedHead(requestID: "req-2", authorization: "Bearer client").head(of: request, to: "/x", on: "search-1:8084")
        #expect(head.headers["Authorization"] == ["Bearer client"])
        #expect(!head.headers.contains(name: "X-User-Id"))
        #expect(!head.headers.contains(name: "X-User-Role"))
        #expect(!head.headers.contains(name: "X-Forwarded-For"))
        #expect(!head.headers.contains(name: ClientAddressSeal.header))
    }

    @Test func aTraceGoesOnWithoutABodyAndAnotherMethodKeepsItsFraming() {
        let forwarded = ForwardedHead(requestID: "req-3")
        let trace = HTTPRequestHead(version: .http1_1, method: .TRACE, uri: "/x", headers: ["Content-Length": "12"])
        #expect(!forwarded.head(of: trace, to: "/x", on: "a").headers.contains(name: "Content-Length"))
        let get = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/x", headers: ["Content-Length": "12"])
        #expect(forwarded.head(of: get, to: "/x", on: "a").headers["Content-Length"] == ["12"])
        let chunked = HTTPRequestHead(version: .http1_1, method: .DELETE, uri: "/x", headers: ["Transfer-Encoding": "chunked"])
        #expect(forwarded.head(of: chunked, to: "/x", on: "a").headers["Transfer-Encoding"] == ["chunked"])
    }

    @Test func whenTracedTheGatewaysSpanReplacesTheClientsTraceContext() {
        let client = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: "/x",
            headers: ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate": "client=1"])
        let untraced = ForwardedHead(requestID: "req-4").head(of: client, to: "/x", on: "a")
        #expect(untraced.headers["traceparent"] == ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])
        var traced = ForwardedHead(requestID: "req-4")
        traced.trace = ["traceparent": "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"]
        let head = traced.head(of: client, to: "/x", on: "a")
        #expect(head.headers["traceparent"] == ["00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"])
        #expect(!head.headers.contains(name: "tracestate"))
    }
}
