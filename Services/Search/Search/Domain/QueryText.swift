import Foundation

/// What a traveler typed, taken apart: quoted phrases must appear as written, the other words in any order; all
/// folded to lower case without accents, as the index is.
struct QueryText: Equatable, Sendable {
    var words: [String]
    var phrases: [String]
    /// Whether the last word was still being typed (no space after it), so that it matches as a prefix.
    var lastIsPrefix: Bool

    init(_ text: String) {
        var words: [String] = []
        var phrases: [String] = []
        for (index, part) in text.split(separator: "\"", omittingEmptySubsequences: false).enumerated() {
            let tokens = Self.tokens(String(part))
            if index % 2 == 1 {
                if !tokens.isEmpty { phrases.append(tokens.joined(separator: " ")) }
            } else {
                words += tokens
            }
        }
        self.words = words
        self.phrases = phrases
        lastIsPrefix = !(text.last.map { $0.isWhitespace || $0 == "\"" } ?? true)
    }

    var isEmpty: Bool { words.isEmpty && phrases.isEmpty }

    /// Letters and digits, folded: `Cenotés,` → `cenotes`.
    static func tokens(_ text: String) -> [String] {
        text.utf8.allSatisfy { $0 < 0x80 } ? asciiTokens(text) : foldedTokens(text)
    }

    /// Any text, through Foundation's folding and Unicode's letters and numbers.
    static func foldedTokens(_ text: String) -> [String] {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .map(String.init)
            .filter { !$0.isEmpty }
    }

    /// ASCII text, byte by byte: its only letters are A–Z and a–z, its only numbers 0–9, and nothing to fold but case.
    /// (Snippets fold every word of the descriptions shown: through Foundation, a tenth of Search's work.)
    private static func asciiTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): word.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): word.append(byte + 32)
            default:
                guard !word.isEmpty else { continue }
                tokens.append(String(decoding: word, as: UTF8.self))
                word.removeAll(keepingCapacity: true)
            }
        }
        if !word.isEmpty { tokens.append(String(decoding: word, as: UTF8.self)) }
        return tokens
    }
}

/// Typesense's rule for typos: none in short words, one from 4 letters, two from 7.
enum Typos {
    static func allowed(in word: String) -> Int {
        word.count >= 7 ? 2 : word.count >= 4 ? 1 : 0
    }

    /// The edit distance between two words (insertions, deletions, substitutions, and swaps of neighbours).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
