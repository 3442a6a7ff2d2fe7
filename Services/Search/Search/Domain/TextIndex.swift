import Contracts
import Foundation

/// An experience as the index holds it: what the filters, the order and a page of results read.
struct IndexedDocument: Sendable {
    struct Slot: Sendable, Equatable {
        var startsAt: Date
        var remaining: Int
    }

    var id: UUID
    /// The transaction that wrote this state, which tells a new state from the same one read again.
    var writtenBy: UInt64
    var isPublished: Bool
    var title: String
    var description: String
    var category: String
    var city: String
    var country: String
    var price: Money
    var durationMinutes: Int
    var languages: [String]
    var maxGuests: Int
    var rating: SearchHit.Rating
    var bookings: Int
    var latitude: Double
    var longitude: Double
    /// Open slots with a seat, soonest first.
    var slots: [Slot]
    /// The cover photo's id: its links are made for the hits shown, not kept for every document.
    var coverPhotoId: UUID? = nil
}

/// The documents in memory with an inverted index of their `tsvector`s' lexemes, so that a query walks posting lists
/// instead of PostgreSQL's heap. `SharedIndex` holds the one copy, changed in place.
struct TextIndex: Sendable {
    private(set) var documents: [IndexedDocument] = []
    /// Each document's facts, by the same number.
    private(set) var facts: [DocumentFacts] = []
    private(set) var places: [DocumentPlace] = []
    /// Each document's id's first four bytes, in the order UUIDs compare: the last key of a search's order, read from
    /// 4 bytes a document rather than from the documents themselves when all else ties.
    private(set) var idKeys: [UInt32] = []
    /// Each document's lexemes where they stand, as `lexeme << 16 | position` ascending, a lexeme without positions
    /// at 0: apart from the documents, so that a phrase's check fetches one array rather than a whole document first.
    private var occurrences: [[UInt64]] = []
    private(set) var categories = Names()
    private(set) var currencies = Names()
    private(set) var languages = Names()
    private var numbers: [UUID: Int] = [:]
    private var lexemeNumbers: [String: UInt32] = [:]
    private var lexemes: [String] = []
    /// For each lexeme, the documents that use it, ascending, each as `document << 2 | weight`.
    private var postings: [[UInt32]] = []
    /// Beside each posting, where the lexeme stands in that document (``Stands``): a phrase's check reads them in the
    /// order it walks the postings, rather than each candidate's `occurrences` from wherever that array lives.
    private var stands: [[Stands]] = []
    /// The lexemes by their first three characters (or all of a shorter one), for prefixes.
    private var byStart: [String: [UInt32]] = [:]

    /// What a match counts by the weight of where it was found, as in PostgreSQL's `ts_rank` (D, C, B, A).
    static let weights: [Float] = [0.1, 0.2, 0.4, 1.0]

    /// Puts `document`, with the lexemes of its `tsvector`, in place of what the index had for it; whether it changed.
    @discardableResult
    mutating func upsert(_ document: IndexedDocument, words: [TSVector.Entry]) -> Bool {
        let number: Int
        if let known = numbers[document.id] {
            guard documents[known].writtenBy != document.writtenBy else { return false }
            number = known
            var previous: UInt32?
            for occurrence in self.occurrences[known] where UInt32(occurrence >> 16) != previous {
                previous = UInt32(occurrence >> 16)
                remove(number, from: previous!)
            }
        } else {
            number = documents.count
            numbers[document.id] = number
        }
        var occurrences: [UInt64] = []
        for entry in words {
            let lexeme = self.number(ofLexeme: entry.lexeme)
            insert(UInt32(number) << 2 | UInt32(entry.weight), Stands(entry.positions), into: lexeme)
            for position in entry.positions.isEmpty ? [0] : entry.positions {
                occurrences.append(UInt64(lexeme) << 16 | UInt64(position))
            }
        }
        occurrences.sort()
        let facts = facts(of: document)
        let place = DocumentPlace(latitude: document.latitude, longitude: document.longitude)
        let id = document.id.uuid
        let idKey = UInt32(id.0) << 24 | UInt32(id.1) << 16 | UInt32(id.2) << 8 | UInt32(id.3)
        if number == documents.count {
            documents.append(document)
            self.facts.append(facts)
            places.append(place)
            idKeys.append(idKey)
            self.occurrences.append(occurrences)
        } else {
            documents[number] = document
            self.facts[number] = facts
            places[number] = place
            idKeys[number] = idKey
            self.occurrences[number] = occurrences
        }
        return true
    }

    private mutating func facts(of document: IndexedDocument) -> DocumentFacts {
        var languages: UInt64 = 0
        var hasOtherLanguages = false
        for language in document.languages {
            let number = self.languages.numbering(language)
            if number < 64 { languages |= 1 << number } else { hasOtherLanguages = true }
        }
        return DocumentFacts(
            price: document.price.amount, rating: document.rating.average,
            lastStart: document.slots.filter { $0.remaining > 0 }.map(\.startsAt.timeIntervalSinceReferenceDate).max() ?? -.infinity,
            languages: languages, category: categories.numbering(document.category), bookings: Int32(clamping: document.bookings),
            currency: UInt16(clamping: currencies.numbering(document.price.currency)), durationMinutes: UInt16(clamping: document.durationMinutes),
            maxGuests: UInt16(clamping: document.maxGuests), isPublished: document.isPublished, hasOtherLanguages: hasOtherLanguages
        )
    }

    /// The documents that match every group of `query`, ascending, each with its relevance from 0 to 1: per group,
    /// the weight of the strongest place one of its terms was found, times the term's weight; averaged over the
    /// groups.
    func matches(_ query: TextQuery) -> [(document: Int, score: Float)] {
        let groups = min(query.groups.count, Int(UInt8.max))
        guard groups > 0 else { return [] }
        let state = MatchState.take(for: documents.count)
        defer { MatchState.giveBack(state) }
        // A group only looks at the documents that matched all before it, and walks its terms' postings once: a byte
        // and a weight a document, apart from the totals, so that the test at every posting reads little memory.
        let (matched, best, total) = (state.matched, state.best, state.total)
        var (firstCount, foundCount) = (0, 0)
        for (number, group) in query.groups.prefix(groups).enumerated() {
            let (eligible, seen) = (UInt8(number), UInt8(number + 1))
            let found = number == 0 ? state.first : state.found
            foundCount = 0
            for term in group {
                forEachMatch(of: term) { document, weight in
                    let at = matched[document]
                    if at == eligible {
                        matched[document] = seen
                        best[document] = weight * term.weight
                        found[foundCount] = Int32(truncatingIfNeeded: document)
                        foundCount += 1
                    } else if at == seen {
                        best[document] = max(best[document], weight * term.weight)
                    }
                }
            }
            if number == 0 {
                firstCount = foundCount
                for document in found.prefix(foundCount) { total[Int(document)] = best[Int(document)] }
            } else {
                for document in found.prefix(foundCount) { total[Int(document)] += best[Int(document)] }
            }
        }
        // The last group found exactly the documents that matched every group, an ascending run per term: sorted into
        // the index's order (the sort merges runs), so that the filters read the documents' facts in memory order
        // rather than in the posting lists' jumps between terms.
        var last = UnsafeMutableBufferPointer(rebasing: (groups == 1 ? state.first : state.found).prefix(foundCount))
        last.sort()
        let results = last.map { (document: Int($0), score: total[Int($0)] / Float(groups)) }
        for document in state.first.prefix(firstCount) { matched[Int(document)] = 0 }
        return results
    }

    /// Calls `body` with each document `term` matches and the weight of the strongest place it was found.
    private func forEachMatch(of term: TextQuery.Term, _ body: (Int, Float) -> Void) {
        if term.isPrefix {
            for lexeme in lexemes(startingWith: term.lexemes[0]) {
                for posting in postings[Int(lexeme)] { body(Int(posting >> 2), Self.weights[Int(posting & 3)]) }
            }
            return
        }
        let numbers = term.lexemes.compactMap { lexemeNumbers[$0] }
        guard numbers.count == term.lexemes.count, let first = numbers.first else { return }
        guard numbers.count > 1 else {
            for posting in postings[Int(first)] { body(Int(posting >> 2), Self.weights[Int(posting & 3)]) }
            return
        }
        // The other lists ascend too: each is walked once, from where the document before was found.
        var cursors = [Int](repeating: 0, count: numbers.count)
        // Where each lexeme stands in the document at hand, for a phrase.
        var found = [Stands](repeating: Stands(), count: numbers.count)
        documents: for (index, posting) in postings[Int(first)].enumerated() {
            var weight = posting & 3
            for offset in numbers.indices.dropFirst() {
                let other = Int(numbers[offset])
                let at = postings[other].firstIndex(atLeast: posting & ~3, from: cursors[offset])
                guard at < postings[other].count else { return }
                cursors[offset] = at
                guard postings[other][at] >> 2 == posting >> 2 else { continue documents }
                weight = min(weight, postings[other][at] & 3)
                if term.isPhrase { found[offset] = stands[other][at] }
            }
            if term.isPhrase {
                found[0] = stands[Int(first)][index]
                guard standInOrder(found, numbers, in: Int(posting >> 2)) else { continue }
            }
            body(Int(posting >> 2), Self.weights[Int(weight)])
        }
    }

    /// Whether the lexemes, standing in the document where `found` says, stand one right after the other somewhere.
    private func standInOrder(_ found: [Stands], _ numbers: [UInt32], in document: Int) -> Bool {
        guard !found.contains(where: \.isUnknown) else { return standInOrder(numbers, in: document) }
        for slot in 0..<4 {
            let position = found[0].position(slot)
            guard position != 0 else { break }
            if found.indices.dropFirst().allSatisfy({ found[$0].contains(position + UInt16($0)) }) { return true }
        }
        // Most lexemes stand in a few places; where one stands in more than ``Stands`` keeps, the rest are read.
        return found.contains(where: \.hasMore) && standInOrder(numbers, in: document)
    }

    /// The same from the document's `occurrences`, for a lexeme that stands in more places than ``Stands`` keeps.
    private func standInOrder(_ numbers: [UInt32], in document: Int) -> Bool {
        let occurrences = self.occurrences[document]
        let first = UInt64(numbers[0]) << 16
        var index = occurrences.firstIndex(atLeast: first)
        while index < occurrences.count, occurrences[index] >> 16 == first >> 16 {
            let position = occurrences[index] & 0xFFFF
            let following = numbers.enumerated().dropFirst().allSatisfy { offset, lexeme in
                let wanted = UInt64(lexeme) << 16 | (position + UInt64(offset))
                let at = occurrences.firstIndex(atLeast: wanted)
                return at < occurrences.count && occurrences[at] == wanted
            }
            if following { return true }
            index += 1
        }
        return false
    }

    /// Where `document`'s posting is in `lexeme`'s list, or nil.
    private func index(of document: Int, in lexeme: UInt32) -> Int? {
        let list = postings[Int(lexeme)]
        let at = list.firstIndex(atLeast: UInt32(document) << 2)
        return at < list.count && Int(list[at] >> 2) == document ? at : nil
    }

    private func lexemes(startingWith prefix: String) -> [UInt32] {
        if prefix.count >= 3 {
            return byStart[String(prefix.prefix(3)), default: []].filter { lexemes[Int($0)].hasPrefix(prefix) }
        }
        return byStart.filter { $0.key.hasPrefix(prefix) }.flatMap(\.value)
    }

    private mutating func number(ofLexeme lexeme: String) -> UInt32 {
        if let number = lexemeNumbers[lexeme] { return number }
        let number = UInt32(lexemes.count)
        lexemeNumbers[lexeme] = number
        lexemes.append(lexeme)
        postings.append([])
        stands.append([])
        byStart[String(lexeme.prefix(3)), default: []].append(number)
        return number
    }

    private mutating func insert(_ posting: UInt32, _ standing: Stands, into lexeme: UInt32) {
        // New documents come last, so that most postings are appended.
        if let last = postings[Int(lexeme)].last, last > posting {
            let at = postings[Int(lexeme)].firstIndex(atLeast: posting)
            postings[Int(lexeme)].insert(posting, at: at)
            stands[Int(lexeme)].insert(standing, at: at)
        } else {
            postings[Int(lexeme)].append(posting)
            stands[Int(lexeme)].append(standing)
        }
    }

    private mutating func remove(_ document: Int, from lexeme: UInt32) {
        if let at = index(of: document, in: lexeme) {
            postings[Int(lexeme)].remove(at: at)
            stands[Int(lexeme)].remove(at: at)
        }
    }
}

extension RandomAccessCollection where Element: Comparable, Index == Int {
    /// The index of the first element not below `value` in this ascending collection (binary search).
    func firstIndex(atLeast value: Element) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The same, knowing it is not before `start`: steps of 1, 2, 4… from there, then a binary search within the
    /// last step, so that a walk through the collection in order costs its length rather than a search per value.
    func firstIndex(atLeast value: Element, from start: Int) -> Int {
        var low = start
        var step = 1
        while low < endIndex, self[low] < value {
            let next = Swift.min(low + step, endIndex)
            if next == endIndex || self[next] >= value { return self[(low + 1)..<next].firstIndex(atLeast: value) }
            low = next
            step *= 2
        }
        return low
    }
}
