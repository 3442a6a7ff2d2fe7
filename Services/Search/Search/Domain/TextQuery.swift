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
            var terms: [Term] = []
            for (word, weight) in alternatives {
                let stems = stems[word] ?? Stems()
                terms.add(Term(lexemes: [word], isPrefix: text.lastIsPrefix && index == last, weight: weight))
                for lexemes in [stems.english, stems.spanish] where !lexemes.isEmpty && lexemes != [word] {
                    terms.add(Term(lexemes: lexemes, weight: weight))
                }
            }
            return terms
        }
        groups += text.phrases.map { [Term(lexemes: $0.split(separator: " ").map(String.init), isPhrase: true)] }
    }

    var isEmpty: Bool { groups.isEmpty }
}

extension TextQuery {
    /// Which words of a description a query matched: one of its lexemes or stems is a lexeme of the query, or the
    /// word continues one of its prefixes. Made once per search from the query's terms, then asked for every word
    /// of the page's descriptions.
    struct Marks {
        private let lexemes: Set<String>
        private let prefixes: [String]

        init(_ query: TextQuery) {
            let terms = query.groups.joined()
            lexemes = Set(terms.filter { !$0.isPrefix }.flatMap(\.lexemes))
            prefixes = terms.filter(\.isPrefix).map { $0.lexemes[0] }
        }

        /// Whether `word`, folded, with its `stems`, is one the query matched.
        func callAsFunction(_ word: String, stems: Stems?) -> Bool {
            lexemes.contains(word) || prefixes.contains { word.hasPrefix($0) }
                || stems.map { $0.english.contains(where: lexemes.contains) || $0.spanish.contains(where: lexemes.contains) } ?? false
        }
    }
}

extension [TextQuery.Term] {
    /// Adds `term` unless the group has it already (a word is often its own stem, and its English and Spanish stems
    /// are often one), keeping the higher weight: each term's postings are walked, so the same lexemes twice cost a
    /// second walk for nothing.
    fileprivate mutating func add(_ term: TextQuery.Term) {
        guard let known = firstIndex(where: { $0.lexemes == term.lexemes && $0.isPrefix == term.isPrefix && $0.isPhrase == term.isPhrase }) else {
            return append(term)
        }
        self[known].weight = Swift.max(self[known].weight, term.weight)
    }
}
