/// What can go wrong talking to Redis.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Redis answered with an error reply (`ERR …`, `NOSCRIPT …`, `WRONGTYPE …`).
    case server(String)
    /// The connection closed before the reply came (the command may have run).
    case connectionClosed
    /// The connection closed before the command was written, so it did not run (``RedisClient`` sends it again once).
    case notSent
    /// No connection could be made; the client waits before it tries again.
    case unavailable(String)
    /// No reply within the command timeout; the connection is closed, since later replies would be misread.
    case timeout
    /// Bytes that are not RESP.
    case protocolError(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis error: \(message)"
        case .connectionClosed: "Redis connection closed"
        case .notSent: "Redis connection closed before the command was sent"
        case .unavailable(let reason): "Redis unavailable: \(reason)"
        case .timeout: "Redis command timed out"
        case .protocolError(let message): "Redis protocol error: \(message)"
        }
    }
}
