/// A header name as NIO's HTTP/1 parser gives it, hashed and compared without regard to case (RFC 9110 §5.1)
/// and without making a lowercased copy: the edge looks up every header of every answer by name.
struct HeaderName: Hashable, ExpressibleByStringLiteral {
    let name: String

    init(_ name: String) {
        self.name = name
    }

    init(stringLiteral name: String) {
        self.name = name
    }

    static func == (lhs: HeaderName, rhs: HeaderName) -> Bool {
        lhs.name.utf8.count == rhs.name.utf8.count && zip(lhs.name.utf8, rhs.name.utf8).allSatisfy { lower($0) == lower($1) }
    }

    func hash(into hasher: inout Hasher) {
        for byte in name.utf8 { hasher.combine(Self.lower(byte)) }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
