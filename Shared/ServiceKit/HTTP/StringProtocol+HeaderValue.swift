extension StringProtocol {
    /// The text without leading and trailing spaces and tabs, as header values are read (RFC 9110 §5.5).
    /// Foundation's `trimmingCharacters(in:)` goes through NSString and costs more than the whole header parse, and
    /// a scan by `Character` finds grapheme boundaries: the bytes are read instead (both ends are ASCII).
    public var trimmingOptionalWhitespace: Substring {
        let text = Substring(self)
        let isWhitespace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = text.utf8.firstIndex(where: { !isWhitespace($0) }), let last = text.utf8.lastIndex(where: { !isWhitespace($0) }) else {
            return Substring()
        }
        return text[first..<text.utf8.index(after: last)]
    }

    /// The credential of an `Authorization: Bearer …` value, the scheme in any case (RFC 9110 §11.1), or `nil`.
    public var bearerCredential: Substring? {
        hasPrefixIgnoringCase("bearer ") ? dropFirst(7).trimmingOptionalWhitespace : nil
    }

    /// Whether the text starts with `prefix` (given in lower case), letters in any case: an authorization
    /// scheme, read without lowercasing a whole token.
    public func hasPrefixIgnoringCase(_ prefix: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        var bytes = utf8.makeIterator()
        for byte in expected {
            guard let next = bytes.next() else { return false }
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            guard isLetter ? next | 0x20 == byte : next == byte else { return false }
        }
        return true
    }
}
