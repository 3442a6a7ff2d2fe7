/// Messaging's WebSocket, as the gateway relays it and Messaging serves it. Browsers cannot set headers on an
/// upgrade, so there (and only there) the access token may come as the `token` query parameter.
public enum MessagingSocket {
    public static let path = "/api/v1/messaging/ws"
}
