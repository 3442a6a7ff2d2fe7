import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceKit

/// Relays WebSocket upgrades on `/api/v1/messaging/ws` to an instance of Messaging, message by message, both
/// ways. The token (in `Authorization`, or in the `token` query parameter, which browsers' WebSocket API forces)
/// is verified here first; without a valid one, or without a healthy instance, the request is not upgraded and
/// the HTTP pipeline answers it (401, 503). Upstream gets the verified identity as `X-User-Id`/`X-User-Role` and
/// the token in `Authorization`, never in the URL; the rest of the query (`since`) is passed on.
struct WebSocketRelay: Sendable {
    static let maximumMessageSize = 1 << 20

    let pool: UpstreamPool
    let authenticator: TokenAuthenticator
    let logger: Logger

    func shouldUpgrade(_ request: HTTPRequest) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let components = request.path.flatMap { URLComponents(string: $0) }
        guard let components, components.path == MessagingSocket.path,
            let token = TokenAuthenticator.token(
                authorization: request.headerFields[.authorization],
                path: components.path,
                token: components.queryItems?.first { $0.name == "token" }?.value
            ),
            let identity = try? await authenticator.identity(for: token),
            let instance = pool.pick()
        else { return .dontUpgrade }
        let requestID = request.headerFields[.requestID].flatMap { RequestID.isValid($0) ? $0 : nil } ?? RequestID.make()
        // The query goes along (`since`, to catch up), but the token, which travels in a header instead.
        var forwarded = URLComponents()
        forwarded.queryItems = components.queryItems?.filter { $0.name != "token" }
        let query = forwarded.queryItems?.isEmpty == false ? "?" + (forwarded.percentEncodedQuery ?? "") : ""
        let upstreamURL =
            instance.baseURL.replacingOccurrences(of: "http://", with: "ws://").replacingOccurrences(of: "https://", with: "wss://")
            + MessagingSocket.path + query
        let headers: HTTPFields = [
            .authorization: "Bearer \(token)",
            .userID: identity.userID.lowercasedString,
            .userRole: identity.role.rawValue,
            .requestID: requestID,
        ]
        var logger = logger
        logger[metadataKey: "requestId"] = .string(requestID)
        logger.info(
            "WebSocket relayed", metadata: ["upstream": .string("messaging@\(instance.name)"), "userId": .string(identity.userID.lowercasedString)])
        return .upgrade([.requestID: requestID]) { [logger] inbound, outbound, _ in
            do {
                let upstreamClose = try await WebSocketClient.connect(url: upstreamURL, configuration: .init(additionalHeaders: headers), logger: logger) {
                    upstreamInbound, upstreamOutbound, _ in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await Self.pipe(inbound, to: upstreamOutbound)
                            try? await upstreamOutbound.close(.normalClosure, reason: nil)
                        }
                        group.addTask { try await Self.pipe(upstreamInbound, to: outbound) }
                        // Either side closing ends the relay.
                        try await group.next()
                        group.cancelAll()
                    }
                }
                // Messaging's reason for closing (a client too slow to keep up, say) reaches the client.
                try? await outbound.close(upstreamClose?.closeCode ?? .normalClosure, reason: upstreamClose?.reason)
            } catch {
                logger.warning("WebSocket upstream failed", metadata: ["error": "\(error)"])
                try? await outbound.close(.unexpectedServerError, reason: "messaging is unavailable")
            }
        }
    }

    private static func pipe(_ inbound: WebSocketInboundStream, to outbound: WebSocketOutboundWriter) async throws {
        for try await message in inbound.messages(maxSize: maximumMessageSize) {
            switch message {
            case .text(let text): try await outbound.write(.text(text))
            case .binary(let bytes): try await outbound.write(.binary(bytes))
            }
        }
    }
}
