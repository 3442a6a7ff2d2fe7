import Foundation

/// A message's text as stored and shown: plain text, never markup. Control characters other than line breaks and
/// tabs are removed (they can hide text, fake line ends in logs or ring terminals), line ends become `\n`, and
/// blank edges are trimmed. Nothing is escaped here: readers render it as text.
enum MessageBody {
    static func clean(_ text: String) -> String {
        // One pass: every message sent goes through it.
        var scalars = String.UnicodeScalarView()
        var afterReturn = false
        for scalar in text.unicodeScalars {
            defer { afterReturn = scalar == "\r" }
            switch scalar {
            case "\r": scalars.append("\n")
            case "\n" where afterReturn: continue
            default: if isKept(scalar) { scalars.append(scalar) }
            }
        }
        return String(scalars).trimmingBlankEdges()
    }

    /// The first line of `text`, at most `length` characters, for notices and conversation lists.
    static func preview(_ text: String, length: Int = 140) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return line.count > length ? String(line.prefix(length - 1)) + "…" : line
    }

    private static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        if (0x20..<0x7F).contains(scalar.value) { return true }
        return switch scalar.properties.generalCategory {
        case .control: scalar == "\n" || scalar == "\t"
        // Bidirectional overrides and isolates can make text read in another order than it is stored.
        case .format: !(0x202A...0x202E).contains(scalar.value) && !(0x2066...0x2069).contains(scalar.value)
        default: true
        }
    }
}

extension String {
    fileprivate func trimmingBlankEdges() -> String {
        let isBlank: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
