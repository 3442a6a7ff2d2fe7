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
        self.words = words
    }

    /// The text cut around its first word that `marks` (given the word folded) says the query matched.
    func highlighting(marks: (String) -> Bool) -> String {
        let marked = words.map { marks($0.folded) }
        let first = marked.firstIndex(of: true) ?? 0
        let start = max(0, min(first - Self.wordsBeforeMatch, words.count - Self.maxWords))
        let end = min(words.count, start + Self.maxWords)
        var snippet = ""
        var cursor = start == 0 ? text.startIndex : words[start].range.lowerBound
        for index in start..<end where marked[index] {
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

    private static func escaped(_ text: Substring) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
