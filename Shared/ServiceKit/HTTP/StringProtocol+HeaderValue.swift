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
}
