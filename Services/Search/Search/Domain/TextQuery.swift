/// What a word is as PostgreSQL's English and Spanish dictionaries index it: its stems, none for a stop word.
struct Stems: Equatable, Sendable {
    var english: [String] = []
    var spanish: [String] = []
}

/// A traveler's text as the index matches it, the way the documents' `tsvector`s were written: every group must
/// match, a group by any of its terms; a word's group holds the word as written (a prefix while it is being typed)
/// and its English and Spanish stems, and the same for each typo correction at half the weight; a quoted phrase is a
/// group of one term whose words must stand next to each other.
struct TextQuery: Equatable, Sendable {
    struct Term: Equatable, Sendable {
        /// Lexemes that must all be there.
        var lexemes: [String]
        var isPrefix = false
        var isPhrase = false
        /// How much a match counts: 1 for what was typed, less for a correction.
        var weight: Float = 1
    }

    var groups: [[Term]] = []

    /// The weight of a correction against the word as typed (Typesense ranks fewer typos first).
    static let correctionWeight: Float = 0.5

    init() {}

    init(_ text: QueryText, corrections: [[String]], stems: [String: Stems]) {
        let last = text.words.count - 1
        groups = text.words.indices.map { index in
            let alternatives = [(text.words[index], Float(1))] + corrections[index].map { ($0, Self.correctionWeight) }
            return alternatives.flatMap { word, weight in
                let stems = stems[word] ?? Stems()
                var terms = [Term(lexemes: [word], isPrefix: text.lastIsPrefix && index == last, weight: weight)]
                for lexemes in [stems.english, stems.spanish] where !lexemes.isEmpty && lexemes != [word] {
                    terms.append(Term(lexemes: lexemes, weight: weight))
                }
                return terms
            }
        }
        groups += text.phrases.map { [Term(lexemes: $0.split(separator: " ").map(String.init), isPhrase: true)] }
    }

    var isEmpty: Bool { groups.isEmpty }

    /// Whether a word of a description, folded, is one the query matched: one of its lexemes or stems, or the
    /// continuation of a prefix.
    func marks(_ word: String, stems: Stems?) -> Bool {
        let forms = [word] + (stems?.english ?? []) + (stems?.spanish ?? [])
        return groups.joined().contains { term in
            term.isPrefix ? word.hasPrefix(term.lexemes[0]) : forms.contains { term.lexemes.contains($0) }
        }
    }
}
