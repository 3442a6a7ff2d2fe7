import Contracts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOSSL
import NIOWebSocket
import ServiceKit
import TestSupport
import Testing

@Suite struct WebSocketRelayTests {
    /// A stand-in Messaging: greets with the identity and path it saw, then echoes every message, until "bye", when it
    /// closes with a reason.
    func messagingStandIn() -> some ApplicationProtocol {
        let router = Router()
        router.get("health") { _, _ in "ok" }
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { request, _, _ in
                let greeting = "hello \(request.headerFields[.userID] ?? "nobody") \(request.path ?? "")"
                return .upgrade([:]) { inbound, outbound, _ in
                    try await outbound.write(.text(greeting))
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message else { continue }
                        if text == "bye" { return try await outbound.close(.policyViolation, reason: "too slow") }
                        try await outbound.write(.text("echo: \(text)"))
                    }
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
    }

    /// Runs `body` with the port of a live gateway in front of the stand-in Messaging and a stand-in JWKS.
    func withRelay(_ variables: [String: String] = [:], _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await messagingStandIn().test(.live) { messaging in
            try await withStandIn(GatewayHarness.standIn()) { authPort in
                let gateway = try await buildApplication(
                    configuration: try TestEnvironment.configuration(
                        .gateway,
                        ["MESSAGING_URL": "http://127.0.0.1:\(messaging.port!)", "AUTH_URL": "http://127.0.0.1:\(authPort)"].merging(variables) { $1 }
                    )
                )
                try await gateway.test(.live, body)
            }
        }
    }

    @Test func relaysBothWaysWithTheVerifiedIdentity() async throws {
        let user = UUID()
        let token = try await GatewayHarness.tokens.token(for: user)
        try await withRelay { client in
            let received = NIOLockedValueBox<[String]>([])
            try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(client.port!)/api/v1/messaging/ws?token=\(token)&since=42", logger: Logger(label: "ws-test")
            ) {
                inbound, outbound, _ in
                try await outbound.write(.text("ping"))
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    received.withLockedValue { $0.append(text) }
                    if text.hasPrefix("echo") { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            // The token reached Messaging in a header, not in the URL; the rest of the query came along.
            #expect(received.withLockedValue { $0 } == ["hello \(user.uuidString.lowercased()) /api/v1/messaging/ws?since=42", "echo: ping"])
        }
    }

    @Test func aGatewayThatTerminatesTLSRelaysSecureWebSockets() async throws {
        let token = try await GatewayHarness.tokens.token(for: UUID())
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(TestCertificates.shared.authority)
        try await withRelay(TLSTests.variables) { [tls] client in
            let received = NIOLockedValueBox<[String]>([])
            try await WebSocketClient.connect(
                url: "wss://localhost:\(client.port!)/api/v1/messaging/ws?token=\(token)", tlsConfiguration: tls, logger: Logger(label: "ws-test")
            ) { inbound, outbound, _ in
                try await outbound.write(.text("over tls"))
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    received.withLockedValue { $0.append(text) }
                    if text.hasPrefix("echo") { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(received.withLockedValue { $0 }.last == "echo: over tls")
        }
    }

    @Test func messagingsReasonForClosingReachesTheClient() async throws {
        let token = try await GatewayHarness.tokens.token(for: UUID())
        try await withRelay { client in
            let close = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(client.port!)/api/v1/messaging/ws?token=\(token)", logger: Logger(label: "ws-test")
            ) {
                inbound, outbound, _ in
                try await outbound.write(.text("bye"))
                for try await _ in inbound.messages(maxSize: 1 << 16) {}
            }
            #expect(close?.closeCode == .policyViolation)
            #expect(close?.reason == "too slow")
        }
    }

    @Test func upgradesWithoutAValidTokenAreRefused() async throws {
        try await withRelay { client in
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(client.port!)/api/v1/messaging/ws?token=forged", logger: Logger(label: "ws-test")) {
                    _, _, _ in
                }
            }
            try await client.execute(uri: "/api/v1/messaging/ws", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }
}
