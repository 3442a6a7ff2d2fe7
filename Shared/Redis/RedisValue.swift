import NIOCore

/// A reply from Redis (RESP2).
public enum RedisValue: Sendable, Hashable {
    case status(String)
    case error(String)
    case integer(Int)
    case bulk(ByteBuffer)
    case null
    case array([RedisValue])

    /// The text of a status or bulk reply.
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let buffer): String(buffer: buffer)
        default: nil
        }
    }

    /// An integer reply, or a bulk reply holding an integer (as `GET` of a counter does).
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .bulk(let buffer): Int(String(buffer: buffer))
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    public var bytes: [UInt8]? {
        if case .bulk(let buffer) = self { Array(buffer.readableBytesView) } else { nil }
    }

    public var isNull: Bool { self == .null }

    /// The value as the answer to a command: an error reply is thrown as ``RedisError/server(_:)``.
    public func answer() throws -> RedisValue {
        if case .error(let message) = self { throw RedisError.server(message) }
        return self
    }
}
