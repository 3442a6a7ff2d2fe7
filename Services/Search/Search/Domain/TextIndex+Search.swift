import CPrefetch
import Contracts
import Foundation

extension TextIndex {
    /// A document found: its number in the index, its relevance and its distance from the asked point.
    struct Hit: Sendable {
        var document: Int
        var score: Float
        var distanceKm: Double?
    }

    /// What a search found: the asked page, in order, and the count and facets of everything.
    struct Found: Sendable {
        var page: [Hit]
        var total: Int
        var facets: Facets
    }

    /// Everything that matches `text` and passes `request`'s filters, counted into facets, and the asked page of it
    /// in the asked order.
    func search(_ request: SearchRequest, text: TextQuery, now: Date) -> Found {
        let origin = request.latitude.flatMap { latitude in request.longitude.map { (latitude, $0) } }
        let filter = Filter(request, in: self, now: now)
        let count = request.offset + request.limit
        // A page's hits are kept as they are found, while their facts are at hand; a deep page sorts them all.
        let isDeep = count > Leaders.most
        var leaders = Leaders(isDeep ? 0 : count, by: request.sort)
        var total = 0
        let matched = text.isEmpty ? [] : matches(text)
        let considered = text.isEmpty ? documents.count : matched.count
        var counts = FacetCounts(for: self, most: considered)
        // For a deep page, written through a buffer as large as all there is to consider: an array's append checks its
        // storage is not shared, at every hit.
        let found = [Hit](unsafeUninitializedCapacity: isDeep ? considered : 0) { found, written in
            defer { written = isDeep ? total : 0 }
            func consider(_ number: Int, _ facts: DocumentFacts, score: Float) {
                guard filter.passes(number, facts, in: self) else { return }
                var hit = Hit(document: number, score: score)
                if let origin {
                    let distance = GreatCircle.kilometres(from: origin, to: (places[number].latitude, places[number].longitude))
                    if let radius = request.radiusKm, distance > radius { return }
                    hit.distanceKm = distance
                }
                counts.count(number, facts, in: self)
                if isDeep { found.initializeElement(at: total, to: hit) } else { leaders.offer(hit, facts, in: self) }
                total += 1
            }
            if text.isEmpty {
                for number in documents.indices { consider(number, facts[number], score: 0) }
                return
            }
            // The matches' facts are far apart in memory: the processor is asked for those a few matches ahead while
            // these are considered, so that fetching them overlaps the filters' work instead of a cache miss at a time.
            facts.withUnsafeBufferPointer { facts in
                for index in matched.indices {
                    if index + Self.readAhead < matched.count {
                        let ahead = facts.baseAddress! + matched[index + Self.readAhead].document
                        mayago_prefetch(ahead)
                        mayago_prefetch(UnsafeRawPointer(ahead) + MemoryLayout<DocumentFacts>.stride - 1)
                    }
                    consider(matched[index].document, facts[matched[index].document], score: matched[index].score)
                }
            }
        }
        let page = (isDeep ? top(count, of: found, by: request.sort) : leaders.hits).dropFirst(request.offset)
        return Found(page: Array(page), total: total, facets: counts.facets(currency: request.currency, in: self))
    }

    /// How many matches ahead their facts are asked for: enough for a fetch from memory to arrive in time, few enough
    /// that they stay in the cache until read.
    static let readAhead = 24

    /// The first `count` of `hits` in `sort`'s order.
    func top(_ count: Int, of hits: [Hit], by sort: SearchRequest.Sort) -> [Hit] {
        guard count <= Leaders.most else {
            return Array(hits.sorted { precedes(($0, facts[$0.document]), ($1, facts[$1.document]), by: sort) }.prefix(count))
        }
        var leaders = Leaders(count, by: sort)
        for hit in hits { leaders.offer(hit, facts[hit.document], in: self) }
        return leaders.hits
    }

    /// The first hits in an order, kept in a short sorted list as they are found, each beside its facts: most hits
    /// fall behind the last one kept at the first comparison, and no comparison reads a document's facts from memory
    /// again (a text's hits have theirs far apart).
    struct Leaders {
        /// The most kept this way; a deeper page sorts all the hits.
        static let most = 256
        private let count: Int
        private let sort: SearchRequest.Sort
        private var kept: [(hit: Hit, facts: DocumentFacts)] = []
        /// In order of relevance, once the list is full: the last one's score, rating and bookings, which most hits
        /// fall short of; only a hit that ties with all three needs the ids compared.
        private var bar = (score: -Float.infinity, rating: 0.0, bookings: Int32(0))

        init(_ count: Int, by sort: SearchRequest.Sort) {
            self.count = count
            self.sort = sort
            kept.reserveCapacity(count + 1)
        }

        var hits: [Hit] { kept.map(\.hit) }

        @inline(__always)
        mutating func offer(_ hit: Hit, _ facts: DocumentFacts, in index: TextIndex) {
            if (hit.score, facts.rating, facts.bookings) >= bar { place(hit, facts, in: index) }
        }

        private mutating func place(_ hit: Hit, _ facts: DocumentFacts, in index: TextIndex) {
            if kept.count == count, let last = kept.last, !index.precedes((hit, facts), last, by: sort) { return }
            var low = 0
            var high = kept.count
            while low < high {
                let middle = (low + high) / 2
                if index.precedes((hit, facts), kept[middle], by: sort) { high = middle } else { low = middle + 1 }
            }
            kept.insert((hit, facts), at: low)
            if kept.count > count { kept.removeLast() }
            if kept.count == count, sort == .relevance, let last = kept.last { bar = (last.hit.score, last.facts.rating, last.facts.bookings) }
        }
    }

    /// The asked order, then relevance, rating, popularity, and the id so that pages never overlap.
    private func precedes(_ a: (hit: Hit, facts: DocumentFacts), _ b: (hit: Hit, facts: DocumentFacts), by sort: SearchRequest.Sort) -> Bool {
        let (x, y) = (a.facts, b.facts)
        switch sort {
        case .relevance where a.hit.score != b.hit.score: return a.hit.score > b.hit.score
        case .price where x.price != y.price: return x.price < y.price
        case .priceDescending where x.price != y.price: return x.price > y.price
        case .distance where a.hit.distanceKm != b.hit.distanceKm: return (a.hit.distanceKm ?? .infinity) < (b.hit.distanceKm ?? .infinity)
        case .rating where x.rating != y.rating: return x.rating > y.rating
        case .popularity where x.bookings != y.bookings: return x.bookings > y.bookings
        default: break
        }
        if a.hit.score != b.hit.score { return a.hit.score > b.hit.score }
        if x.rating != y.rating { return x.rating > y.rating }
        if x.bookings != y.bookings { return x.bookings > y.bookings }
        let (idA, idB) = (idKeys[a.hit.document], idKeys[b.hit.document])
        return idA != idB ? idA < idB : documents[a.hit.document].id < documents[b.hit.document].id
    }
}

extension IndexedDocument {
    /// The start of the soonest open slot after `now` with the asked seats, within the asked dates.
    func nextSlot(for request: SearchRequest, after now: Date) -> Date? {
        slots.first { slot in
            slot.startsAt > now && slot.remaining >= request.guests
                && (request.from.map { slot.startsAt >= $0 } ?? true) && (request.to.map { slot.startsAt < $0 } ?? true)
        }?.startsAt
    }
}

/// Distances on earthdistance's sphere (radius 6 378 168 m), as `earth_distance` measured them.
enum GreatCircle {
    static func kilometres(from a: (Double, Double), to b: (Double, Double)) -> Double {
        let radians = Double.pi / 180
        let dLatitude = (b.0 - a.0) * radians
        let dLongitude = (b.1 - a.1) * radians
        let h = sin(dLatitude / 2) * sin(dLatitude / 2) + cos(a.0 * radians) * cos(b.0 * radians) * sin(dLongitude / 2) * sin(dLongitude / 2)
        return 2 * 6378.168 * asin(min(1, h.squareRoot()))
    }
}
