/// What the search box completes, held in memory so that a keystroke costs no database round trip: titles, tags
/// and cities with their weights, and which of them share each trigram.
struct CompletionSet: Sendable {
    struct Completion: Codable, Sendable, Equatable {
        var text: String
        /// `title`, `tag` or `city`.
        var kind: String
    }

    struct Entry: Sendable {
        var folded: String
        var completion: Completion
        var weight: Int
        var trigrams: Int
    }

    private var entries: [Entry] = []
    private var postings: [Trigrams.Trigram: [Int32]] = [:]

    init(_ rows: [(folded: String, text: String, kind: String, weight: Int)]) {
        for row in rows {
            let trigrams = Trigrams.of(row.folded)
            for trigram in trigrams { postings[trigram, default: []].append(Int32(entries.count)) }
            entries.append(Entry(folded: row.folded, completion: Completion(text: row.text, kind: row.kind), weight: row.weight, trigrams: trigrams.count))
        }
    }

    var count: Int { entries.count }

    /// Completions of `folded` (the typed text, folded as the entries are): those starting with it first, then those
    /// with a word starting with it, then those close to it (a typo: pg_trgm's similarity of at least 0.3); heavier
    /// first, then closer, then shorter.
    func suggest(_ folded: String, limit: Int) -> [Completion] {
        let query = Trigrams.of(folded)
        var shared: [Int32: Int] = [:]
        for trigram in query {
            for entry in postings[trigram] ?? [] { shared[entry, default: 0] += 1 }
        }
        let wordStart = " " + folded
        let ranked = shared.compactMap { index, count -> (rank: Int, entry: Entry, closeness: Double)? in
            let entry = entries[Int(index)]
            let closeness = Trigrams.similarity(shared: count, query.count, entry.trigrams)
            let rank = entry.folded.hasPrefix(folded) ? 0 : entry.folded.contains(wordStart) ? 1 : 2
            return rank < 2 || closeness >= 0.3 ? (rank, entry, closeness) : nil
        }
        return ranked.sorted { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            if a.entry.weight != b.entry.weight { return a.entry.weight > b.entry.weight }
            if a.closeness != b.closeness { return a.closeness > b.closeness }
            return a.entry.completion.text.count < b.entry.completion.text.count
        }.prefix(limit).map(\.entry.completion)
    }
}
