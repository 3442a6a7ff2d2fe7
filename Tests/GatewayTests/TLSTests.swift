import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import ServiceKit
import TestSupport
import Testing

@testable import Gateway

/// The gateway terminating TLS itself: HTTP/2 for clients that offer it by ALPN, HTTP/1.1 for the others, proxied and
/// answered alike.
@Suite struct TLSTests {
    static var variables: [String: String] {
        ["TLS_CERT_FILE": TestCertificates.shared.certificate, "TLS_KEY_FILE": TestCertificates.shared.key]
    }

    @Test func clientsGetHTTP2OrHTTP1ByALPNAndTheProxyAnswersBoth() async throws {
        try await GatewayHarness.withGateway(Self.variables) { gateway in
            let port = try #require(gateway.port)
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(TestCertificates.shared.authority)
            for version in [HTTPClient.Configuration.HTTPVersion.automatic, .http1Only] {
                var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
                configuration.httpVersion = version
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                defer { _ = client.shutdown() }
                let expected: HTTPVersion = version == .automatic ? .http2 : .http1_1
                for _ in 0..<2 {
                    // Proxied to the stand-in, which echoes what reached it; then one of the gateway's own routes.
                    let proxied = try await client.execute(HTTPClientRequest(url: "https://localhost:\(port)/api/v1/experiences?q=tls"), timeout: .seconds(10))
                    #expect(proxied.status == .accepted)
                    #expect(proxied.version == expected)
                    #expect(proxied.headers.first(name: "strict-transport-security") != nil)
                    let echo = try JSONDecoder().decode(Echo.self, from: try await proxied.body.collect(upTo: 1 << 20))
                    #expect(echo.path == "/api/v1/experiences" && echo.query == "q=tls")
                    let own = try await client.execute(HTTPClientRequest(url: "https://localhost:\(port)/health"), timeout: .seconds(10))
                    #expect(own.status == .ok)
                    #expect(own.version == expected)
                }
                try await client.shutdown()
            }
            // A client that does not trust the certificate's authority gets no answer.
            let untrusting = HTTPClient(eventLoopGroupProvider: .singleton)
            await #expect(throws: (any Error).self) {
                _ = try await untrusting.execute(HTTPClientRequest(url: "https://localhost:\(port)/health"), timeout: .seconds(2))
            }
            try await untrusting.shutdown()
        }
    }

    @Test func aCertificateWithoutItsKeyIsRefusedAtStart() throws {
        #expect(throws: ConfigurationError.self) {
            try GatewaySettings(.variables(["TLS_CERT_FILE": TestCertificates.shared.certificate]))
        }
        #expect(throws: ConfigurationError.self) {
            try GatewaySettings(.variables(["TLS_CERT_FILE": TestCertificates.shared.key, "TLS_KEY_FILE": TestCertificates.shared.key]))
        }
        #expect(try GatewaySettings(.variables(Self.variables)).tls != nil)
    }
}
