import NIOCore

/// Text that is well-formed JSON or a well-formed query, but that no MayaGo service can keep: U+0000, which
/// PostgreSQL's text refuses, and a lone UTF-16 surrogate (`\ud800` alone), which is no Unicode character and which
/// Swift's JSON decoder refuses. Such a request is a 422 naming where the text came, not a 500 or a claim that the
/// JSON was malformed.
enum UnstorableText {
    /// The problem for `body` when it holds such an escape, else `nil`.
    static func problem(inJSON body: ByteBuffer) -> Problem? {
        findsUnstorableEscape(body.readableBytesView) ? Problem.refused("body", "must not hold U+0000 or a lone UTF-16 surrogate") : nil
    }

    /// The problem for a query that carries `%00`, else `nil`.
    static func problem(inQuery query: String?) -> Problem? {
        query?.contains("%00") == true ? Problem.refused("query", "must not hold U+0000") : nil
    }

    /// Whether a `\u` escape of `bytes` is `\u0000` or a surrogate not paired high then low. Unescaped NUL bytes
    /// and surrogates cannot occur in valid JSON or UTF-8, so the escapes are all there is to look at.
    static func findsUnstorableEscape<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool where Bytes.Index == Int {
        var index = bytes.startIndex
        func hex(at start: Int) -> UInt32? {
            guard start + 4 <= bytes.endIndex else { return nil }
            var value: UInt32 = 0
            for byte in bytes[start..<start + 4] {
                guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index + 1 < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            guard bytes[index + 1] == UInt8(ascii: "u"), let unit = hex(at: index + 2) else {
                index += 2
                continue
            }
            index += 6
            switch unit {
            case 0, 0xDC00...0xDFFF: return true
            case 0xD800...0xDBFF:
                guard index + 1 < bytes.endIndex, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                    let low = hex(at: index + 2), (0xDC00...0xDFFF).contains(low)
                else { return true }
                index += 6
            default: break
            }
        }
        return false
    }
}
