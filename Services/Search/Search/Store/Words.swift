import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceKit

/// What PostgreSQL says about words, remembered: their English and Spanish stems (fixed by the dictionaries), and
/// the lexicon's nearest words to a misspelt one (until the index changes), so that a query asks only about words
/// not seen before. At most `capacity` words of each kind are remembered (they come from travelers' queries and the
/// descriptions shown): those not asked about for a while are let go (``BoundedCache``), never all at once, which had
/// every query's words looked up again together.
final class Words: Sendable {
    private let postgres: PostgresClient
    private let logger: Logger
    private let known: NIOLockedValueBox<Known>

    private struct Known {
        var stems: BoundedCache<String, Stems>
        var corrections: BoundedCache<String, [String]>
    }

    init(postgres: PostgresClient, logger: Logger, capacity: Int = 100_000) {
        self.postgres = postgres
        self.logger = logger
        known = NIOLockedValueBox(Known(stems: BoundedCache(limit: capacity), corrections: BoundedCache(limit: capacity)))
    }

    /// `text` ready for the index: each word with its corrections and all their stems.
    func query(for text: QueryText) async throws -> TextQuery {
        guard !text.isEmpty else { return TextQuery() }
        let corrections = try await self.corrections(of: text.words, lastIsPrefix: text.lastIsPrefix)
        let stems = try await self.stems(of: Set(text.words + corrections.joined()))
        return TextQuery(text, corrections: corrections, stems: stems)
    }

    /// The stems of each of `words` (folded): `to_tsvector` in English and in Spanish, as the documents were indexed.
    func stems(of words: Set<String>) async throws -> [String: Stems] {
        // Each word hashed once to look it up and once to answer.
        var stems = [String: Stems](minimumCapacity: words.count)
        var missing: [String] = []
        known.withLockedValue { known in
            for word in words {
                if let known = known.stems[word] {
                    stems[word] = known
                } else if let number = Self.numberStems(word) {
                    stems[word] = number
                } else {
                    missing.append(word)
                }
            }
        }
        guard !missing.isEmpty else { return stems }
        let rows = try await postgres.query(
            """
            SELECT w, tsvector_to_array(to_tsvector('english', w)), tsvector_to_array(to_tsvector('spanish', w))
            FROM unnest(\(missing)::text[]) w
            """,
            logger: logger
        )
        var learnt: [String: Stems] = [:]
        for try await (word, english, spanish) in rows.decode((String, [String], [String]).self) {
            learnt[word] = Stems(english: english, spanish: spanish)
        }
        known.withLockedValue { known in
            for (word, stems) in learnt { known.stems[word] = stems }
        }
        return stems.merging(learnt) { $1 }
    }

    /// Each of `snippets` cut and marked where `marks` says, with the stems of only the words a cut reads (those up
    /// to its first match and the few after it, not every word of every description): those known are read under the
    /// lock, a snippet at a time; any not known yet are asked of PostgreSQL, and the snippets cut again with them.
    func highlighting(_ snippets: [Snippet], with marks: TextQuery.Marks) async throws -> [String] {
        var learnt: [String: Stems] = [:]
        while true {
            var unknown = Set<String>()
            let cuts = snippets.map { snippet in
                known.withLockedValue { known in
                    snippet.highlighting { word in
                        guard !word.isEmpty else { return marks(word, stems: nil) }
                        let stems = (learnt.isEmpty ? nil : learnt[word]) ?? known.stems[word] ?? Self.numberStems(word)
                        if stems == nil { unknown.insert(word) }
                        return marks(word, stems: stems)
                    }
                }
            }
            let before = learnt.count
            if !unknown.isEmpty { learnt.merge(try await stems(of: unknown)) { $1 } }
            // Done once every word read was known; a cut may read other words once it knows more.
            if learnt.count == before { return cuts }
        }
    }

    /// A number is its own stem in both languages.
    private static func numberStems(_ word: String) -> Stems? {
        word.allSatisfy(\.isNumber) ? Stems(english: [word], spanish: [word]) : nil
    }

    /// For each of `words` the lexicon does not know (nor, for the last while it is typed, starts a word of), the
    /// lexicon's nearest words within its typo allowance, nearest first, at most three.
    func corrections(of words: [String], lastIsPrefix: Bool) async throws -> [[String]] {
        let keys = words.indices.map { "\(words[$0])\(lastIsPrefix && $0 == words.count - 1 ? "*" : "")" }
        var corrections = known.withLockedValue { known in keys.map { known.corrections[$0] } }
        let looked = words.indices.filter { corrections[$0] == nil && Typos.allowed(in: words[$0]) > 0 }
        guard !looked.isEmpty else { return corrections.map { $0 ?? [] } }
        let rows = try await postgres.query(
            """
            SELECT t.i::int, array(SELECT word FROM lexicon WHERE word % t.w ORDER BY similarity(word, t.w) DESC LIMIT 20)
            FROM unnest(\(looked.map { words[$0] })::text[], \(looked.map { lastIsPrefix && $0 == words.count - 1 })::bool[]) WITH ORDINALITY AS t(w, typing, i)
            WHERE NOT EXISTS (SELECT 1 FROM lexicon WHERE word = t.w)
              AND NOT (t.typing AND EXISTS (SELECT 1 FROM lexicon WHERE word ~>=~ t.w AND word ~<~ (t.w || chr(1114111))))
            """,
            logger: logger
        )
        for index in looked { corrections[index] = [] }
        for try await (ordinal, candidates) in rows.decode((Int, [String]).self) {
            let index = looked[ordinal - 1]
            let word = words[index]
            corrections[index] = Array(candidates.filter { $0 != word && Typos.distance($0, word) <= Typos.allowed(in: word) }.prefix(3))
        }
        known.withLockedValue { known in
            for index in looked { known.corrections[keys[index]] = corrections[index] }
        }
        return corrections.map { $0 ?? [] }
    }

    /// The lexicon may have new words: corrections are looked up again.
    func forgetCorrections() {
        known.withLockedValue { $0.corrections.removeAll() }
    }
}
