/// A piece of a description for a result: escaped HTML, with the words a query matched in `<mark>`.
struct Snippet {
    /// At most this many words, starting a little before the first matched one (as `ts_headline` cuts).
    static let maxWords = 24
    static let wordsBeforeMatch = 3

    let text: String
    /// The runs of letters and digits, each with its folded form as the index and queries fold.
    let words: [(range: Range<String.Index>, folded: String)]

    init(_ text: String) {
        self.text = text
        words = text.utf8.allSatisfy { $0 < 0x80 } ? Self.asciiWords(of: text) : Self.words(of: text)
    }

    private static func words(of text: String) -> [(range: Range<String.Index>, folded: String)] {
        var words: [(range: Range<String.Index>, folded: String)] = []
        var start: String.Index?
        for index in text.indices {
            let isWord = text[index].isLetter || text[index].isNumber
            if isWord, start == nil { start = index }
            if !isWord, let begun = start {
                words.append((begun..<index, QueryText.tokens(String(text[begun..<index])).first ?? ""))
                start = nil
            }
        }
        if let begun = start { words.append((begun..<text.endIndex, QueryText.tokens(String(text[begun...])).first ?? "")) }
        return words
    }

    /// The same for ASCII text, byte by byte (its words are runs of A–Z, a–z and 0–9, folded by lowering their case):
    /// reading it by characters asked Unicode's tables about every one.
    private static func asciiWords(of text: String) -> [(range: Range<String.Index>, folded: String)] {
        var words: [(range: Range<String.Index>, folded: String)] = []
        var start: String.Index?
        var folded: [UInt8] = []
        for index in text.utf8.indices {
            let byte = text.utf8[index]
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): folded.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): folded.append(byte + 32)
            default:
                guard let begun = start else { continue }
                words.append((begun..<index, String(decoding: folded, as: UTF8.self)))
                folded.removeAll(keepingCapacity: true)
                start = nil
                continue
            }
            if start == nil { start = index }
        }
        if let begun = start { words.append((begun..<text.endIndex, String(decoding: folded, as: UTF8.self))) }
        return words
    }

    /// The text cut around its first word that `marks` (given the word folded) says the query matched.
    /// `marks` is asked only as far as the cut reaches.
    func highlighting(marks: (String) -> Bool) -> String {
        let first = words.firstIndex { marks($0.folded) }
        let start = max(0, min((first ?? 0) - Self.wordsBeforeMatch, words.count - Self.maxWords))
        let end = min(words.count, start + Self.maxWords)
        func marked(_ index: Int) -> Bool {
            guard let first else { return false }
            return index == first || index > first && marks(words[index].folded)
        }
        var snippet = ""
        var cursor = start == 0 ? text.startIndex : words[start].range.lowerBound
        for index in start..<end where marked(index) {
            snippet += Self.escaped(text[cursor..<words[index].range.lowerBound])
            snippet += "<mark>" + Self.escaped(text[words[index].range]) + "</mark>"
            cursor = words[index].range.upperBound
        }
        snippet += Self.escaped(text[cursor..<(end == words.count ? text.endIndex : words[end - 1].range.upperBound)])
        return snippet
    }

    /// The start of `text`, escaped, for a result found without words.
    static func opening(_ text: String) -> String {
        escaped(text.prefix(160))
    }

    /// Byte by byte: `&`, `<` and `>` are one byte each in UTF-8 and never part of a longer character's bytes.
    private static func escaped(_ text: Substring) -> String {
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
        guard text.utf8.contains(where: special) else { return String(text) }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped += "&amp;".utf8
            case UInt8(ascii: "<"): escaped += "&lt;".utf8
            case UInt8(ascii: ">"): escaped += "&gt;".utf8
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
