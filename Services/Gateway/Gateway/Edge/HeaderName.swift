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
        guard lhs.name.utf8.count == rhs.name.utf8.count else { return false }
        var (left, right) = (lhs.name, rhs.name)
        return left.withUTF8 { left in right.withUTF8 { right in zip(left, right).allSatisfy { lower($0) == lower($1) } } }
    }

    /// The lowercased bytes eight at a time: a hasher fed byte by byte was most of a lookup's cost.
    func hash(into hasher: inout Hasher) {
        var name = name
        name.withUTF8 { bytes in
            var word: UInt64 = 0
            for (offset, byte) in bytes.enumerated() {
                word = word << 8 | UInt64(Self.lower(byte))
                if offset & 7 == 7 {
                    hasher.combine(word)
                    word = 0
                }
            }
            hasher.combine(word)
            hasher.combine(bytes.count)
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }
}
