import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceKit

/// The WebSocket at `/api/v1/messaging/ws`. The gateway verified the caller's token; it is verified here again
/// (from `Authorization`, or the `token` query parameter of a direct connection). `since` names the last message
/// the client has, to catch up from. A request that cannot be upgraded reaches the HTTP route, which says why.
struct SocketRoute {
    let messaging: MessagingService
    let authenticator: TokenAuthenticator

    func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel, logger: Logger
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let components = request.path.flatMap({ URLComponents(string: $0) }), components.path == MessagingSocket.path,
            let token = TokenAuthenticator.token(
                authorization: request.headerFields[.authorization], path: components.path,
                token: components.queryItems?.first { $0.name == "token" }?.value
            ),
            let (caller, claims) = try? await authenticator.authenticate(token)
        else { return .dontUpgrade }
        let sinceText = components.queryItems?.first { $0.name == "since" }?.value
        let since = sinceText.flatMap(UUID.init(uuidString:))
        guard sinceText == nil || since != nil else { return .dontUpgrade }
        let session = SocketSession(messaging: messaging, caller: caller, claims: claims, since: since, logger: logger)
        return .upgrade([:]) { inbound, outbound, _ in
            await session.run(inbound: inbound, outbound: outbound, channel: channel)
        }
    }

    /// What a request that was not upgraded gets: 401 without a valid token (the authentication middleware), 400 for
    /// a bad `since`, else 426.
    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/messaging/ws") { request, context -> Response in
            _ = try context.requireIdentity()
            if let since = request.uri.queryParameters.get("since"), UUID(uuidString: since) == nil {
                throw Problem.invalid("since", "must be the id of a message")
            }
            throw Problem(.upgradeRequired, detail: "This route speaks WebSocket.", headers: [.upgrade: "websocket"])
        }
    }
}
