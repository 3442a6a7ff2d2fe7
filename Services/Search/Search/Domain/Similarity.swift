import Foundation

/// Content similarity: each document a TF-IDF vector over the words of its title, tags, category and description
/// (title and tags counted twice, as they say more about it), compared by cosine.
struct ContentSimilarity {
    struct Document: Sendable {
        var id: UUID
        var text: String
        var emphasis: String
    }

    /// Unit-length sparse vectors, by document.
    private(set) var vectors: [UUID: [String: Double]] = [:]
    /// For each word, the documents that use it: the candidates worth comparing.
    private var postings: [String: [UUID]] = [:]

    init(_ documents: [Document]) {
        var counts: [UUID: [String: Int]] = [:]
        var frequency: [String: Int] = [:]
        for document in documents {
            var terms: [String: Int] = [:]
            for word in QueryText.tokens(document.text) where word.count >= 3 && !Self.stopWords.contains(word) { terms[word, default: 0] += 1 }
            for word in QueryText.tokens(document.emphasis) where word.count >= 3 && !Self.stopWords.contains(word) { terms[word, default: 0] += 2 }
            counts[document.id] = terms
            for word in terms.keys { frequency[word, default: 0] += 1 }
        }
        let total = Double(documents.count)
        for (id, terms) in counts {
            var vector: [String: Double] = [:]
            for (word, count) in terms {
                // A word in every document says nothing about any of them.
                let weight = (1 + log(Double(count))) * log(total / Double(frequency[word]!))
                if weight > 0 { vector[word] = weight }
            }
            let norm = vector.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            vectors[id] = vector.mapValues { $0 / norm }
            for word in vector.keys { postings[word, default: []].append(id) }
        }
    }

    /// The `limit` documents most like `id`, with their cosine, best first.
    func nearest(to id: UUID, limit: Int) -> [(UUID, Double)] {
        guard let vector = vectors[id] else { return [] }
        var scores: [UUID: Double] = [:]
        for (word, weight) in vector {
            for other in postings[word] ?? [] where other != id {
                scores[other, default: 0] += weight * (vectors[other]?[word] ?? 0)
            }
        }
        return scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.uuidString < $1.key.uuidString }.prefix(limit).map { ($0.key, $0.value) }
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
