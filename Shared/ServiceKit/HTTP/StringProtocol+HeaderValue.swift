extension StringProtocol {
    /// The text without leading and trailing spaces and tabs, as header values are read (RFC 9110 §5.5).
    /// Foundation's `trimmingCharacters(in:)` goes through NSString and costs more than the whole header parse.
    public var trimmingOptionalWhitespace: Substring {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }), let last = lastIndex(where: { !isWhitespace($0) }) else {
            return Substring()
        }
        return Substring(self[first...last])
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
