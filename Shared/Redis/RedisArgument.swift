import NIOCore

/// One argument of a command, binary-safe: text, a number, or raw bytes. Text is kept as it is and written
/// straight into the command's buffer (a buffer per argument showed in the gateway's profiles).
public struct RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    enum Value: Sendable {
        case text(String)
        case bytes(ByteBuffer)
    }

    let value: Value

    public init(_ buffer: ByteBuffer) { value = .bytes(buffer) }
    public init(_ string: String) { value = .text(string) }
    public init(_ int: Int) { value = .text(String(int)) }
    public init(_ bytes: [UInt8]) { value = .bytes(ByteBuffer(bytes: bytes)) }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }

    var byteCount: Int {
        switch value {
        case .text(let text): text.utf8.count
        case .bytes(let bytes): bytes.readableBytes
        }
    }
}

extension ByteBuffer {
    /// Writes `arguments` as a RESP array of bulk strings, the form every command takes.
    mutating func writeRESPCommand(_ arguments: [RedisArgument]) {
        writeInteger(UInt8(ascii: "*"))
        writeDecimal(arguments.count)
        for argument in arguments {
            writeStaticString("\r\n$")
            writeDecimal(argument.byteCount)
            writeStaticString("\r\n")
            switch argument.value {
            case .text(let text): writeString(text)
            case .bytes(let bytes): writeImmutableBuffer(bytes)
            }
        }
        writeStaticString("\r\n")
    }

    private mutating func writeDecimal(_ number: Int) {
        if number >= 10 { writeDecimal(number / 10) }
        writeInteger(UInt8(ascii: "0") + UInt8(number % 10))
    }
}
