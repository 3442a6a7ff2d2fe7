import NIOCore

/// One argument of a command, binary-safe: text, a number, or raw bytes.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public let buffer: ByteBuffer

    public init(_ buffer: ByteBuffer) { self.buffer = buffer }
    public init(_ string: String) { buffer = ByteBuffer(string: string) }
    public init(_ int: Int) { buffer = ByteBuffer(string: String(int)) }
    public init(_ bytes: [UInt8]) { buffer = ByteBuffer(bytes: bytes) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
}

extension ByteBuffer {
    /// Writes `arguments` as a RESP array of bulk strings, the form every command takes.
    mutating func writeRESPCommand(_ arguments: [RedisArgument]) {
        writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            writeString("$\(argument.buffer.readableBytes)\r\n")
            writeImmutableBuffer(argument.buffer)
            writeString("\r\n")
        }
    }
}
