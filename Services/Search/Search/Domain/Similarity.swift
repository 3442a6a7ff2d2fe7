import Foundation

/// Content similarity: each document a TF-IDF vector over the words of its title, tags, category and description
/// (title and tags counted twice, as they say more about it), compared by cosine.
///
/// Documents and words are numbered, and a word's postings carry its weight in each document: comparing one document
/// with all the others adds into an array of scores, with no lookup by id or word. For 100 000 documents whose words
/// each occur in thousands of them, that is some 10¹⁰ additions a round.
struct ContentSimilarity {
    struct Document: Sendable {
        var id: UUID
        var text: String
        var emphasis: String
    }

    /// The documents with a vector (some word not in every document), by number.
    let ids: [UUID]
    private let numbers: [UUID: Int]
    /// Each document's unit-length vector, as (word, weight) pairs.
    private let vectors: [[(word: Int, weight: Double)]]
    /// For each word, the documents that use it and its weight in each: the candidates worth comparing.
    private let postings: [[(document: Int32, weight: Double)]]
    /// Each document's place in the order of the ids' text, which breaks ties in cosine.
    private let ranks: [Int32]

    init(_ documents: [Document]) {
        var words: [String: Int] = [:]
        var counts: [(id: UUID, terms: [Int: Int])] = []
        var frequency: [Int] = []
        for document in documents {
            var terms: [Int: Int] = [:]
            func count(_ text: String, times: Int) {
                for word in QueryText.tokens(text) where word.count >= 3 && !Self.stopWords.contains(word) {
                    let number = words[word] ?? words.count
                    if number == words.count {
                        words[word] = number
                        frequency.append(0)
                    }
                    terms[number, default: 0] += times
                }
            }
            count(document.text, times: 1)
            count(document.emphasis, times: 2)
            counts.append((document.id, terms))
            for word in terms.keys { frequency[word] += 1 }
        }
        let total = Double(documents.count)
        var ids: [UUID] = []
        var vectors: [[(word: Int, weight: Double)]] = []
        var postings = [[(document: Int32, weight: Double)]](repeating: [], count: words.count)
        for (id, terms) in counts {
            // A word in every document says nothing about any of them.
            let weighted = terms.map { word, count in (word: word, weight: (1 + log(Double(count))) * log(total / Double(frequency[word]))) }
                .filter { $0.weight > 0 }
            let norm = weighted.reduce(0) { $0 + $1.weight * $1.weight }.squareRoot()
            guard norm > 0 else { continue }
            let vector = weighted.map { (word: $0.word, weight: $0.weight / norm) }
            for (word, weight) in vector { postings[word].append((Int32(ids.count), weight)) }
            ids.append(id)
            vectors.append(vector)
        }
        self.ids = ids
        self.vectors = vectors
        self.postings = postings
        numbers = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let texts = ids.map(\.uuidString)
        var ranks = [Int32](repeating: 0, count: ids.count)
        for (rank, number) in ids.indices.sorted(by: { texts[$0] < texts[$1] }).enumerated() { ranks[number] = Int32(rank) }
        self.ranks = ranks
    }

    /// The `limit` documents most like `id`, with their cosine, best first (ties by id).
    func nearest(to id: UUID, limit: Int) -> [(UUID, Double)] {
        guard let number = numbers[id] else { return [] }
        var scratch = Scratch(count: ids.count)
        return nearest(to: number, limit: limit, scratch: &scratch)
    }

    /// Every document's `limit` nearest, for those with any; `stop` is asked between two documents.
    func allNearest(limit: Int, unless stop: () -> Bool) throws -> [UUID: [(UUID, Double)]] {
        var scratch = Scratch(count: ids.count)
        var all: [UUID: [(UUID, Double)]] = [:]
        for number in ids.indices {
            if stop() { throw CancellationError() }
            let nearest = nearest(to: number, limit: limit, scratch: &scratch)
            if !nearest.isEmpty { all[ids[number]] = nearest }
        }
        return all
    }

    /// A score for each document, and which ones this comparison touched (to be zeroed again after it).
    private struct Scratch {
        var scores: [Double]
        var touched: [Int32] = []

        init(count: Int) {
            scores = Array(repeating: 0, count: count)
            touched.reserveCapacity(count)
        }
    }

    private func nearest(to number: Int, limit: Int, scratch: inout Scratch) -> [(UUID, Double)] {
        var touched = scratch.touched
        var best: [(number: Int, score: Double)] = []
        best.reserveCapacity(limit + 1)
        // Billions of additions a round for 100 000 documents: through the buffers, without a check of the arrays'
        // uniqueness or of exclusive access at each.
        scratch.scores.withUnsafeMutableBufferPointer { scores in
            for (word, weight) in vectors[number] {
                postings[word].withUnsafeBufferPointer { postings in
                    for (other, otherWeight) in postings where Int(other) != number {
                        if scores[Int(other)] == 0 { touched.append(other) }
                        scores[Int(other)] += weight * otherWeight
                    }
                }
            }
            // The best `limit`, kept in order as the touched documents go by.
            for other in touched {
                let candidate = (number: Int(other), score: scores[Int(other)])
                scores[Int(other)] = 0
                guard best.count < limit || precedes(candidate, best[best.count - 1]) else { continue }
                best.insert(candidate, at: best.firstIndex { precedes(candidate, $0) } ?? best.count)
                if best.count > limit { best.removeLast() }
            }
        }
        touched.removeAll(keepingCapacity: true)
        scratch.touched = touched
        return best.map { (ids[$0.number], $0.score) }
    }

    private func precedes(_ a: (number: Int, score: Double), _ b: (number: Int, score: Double)) -> Bool {
        a.score != b.score ? a.score > b.score : ranks[a.number] < ranks[b.number]
    }

    static let stopWords: Set<String> = [
        "the", "and", "for", "with", "from", "your", "you", "are", "its", "that", "this", "into", "over", "under", "before", "after",
        "los", "las", "del", "con", "para", "por", "una", "uno", "que", "sus", "entre", "antes", "desde",
    ]
}

/// Item-to-item collaborative filtering: experiences are alike when the same travelers booked them, by the cosine
/// of their traveler vectors (|both| / √(|one| · |other|)).
enum CoBookings {
    /// For each experience booked with others, those others and their cosine, best first.
    static func similarity(_ bookings: [(traveler: UUID, experience: UUID)]) -> [UUID: [(UUID, Double)]] {
        var travelers: [UUID: Set<UUID>] = [:]
        var experiences: [UUID: Set<UUID>] = [:]
        for (traveler, experience) in bookings {
            travelers[experience, default: []].insert(traveler)
            experiences[traveler, default: []].insert(experience)
        }
        var together: [UUID: [UUID: Int]] = [:]
        for booked in experiences.values where booked.count > 1 {
            for a in booked {
                for b in booked where a != b { together[a, default: [:]][b, default: 0] += 1 }
            }
        }
        var result: [UUID: [(UUID, Double)]] = [:]
        for (a, others) in together {
            let size = Double(travelers[a]?.count ?? 1)
            result[a] = others.map { b, both in (b, Double(both) / (size * Double(travelers[b]?.count ?? 1)).squareRoot()) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.uuidString < $1.0.uuidString }
        }
        return result
    }
}
