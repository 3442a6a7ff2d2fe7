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
        var found: [Hit] = []
        func consider(_ number: Int, score: Float) {
            guard filter.passes(number, in: self) else { return }
            var hit = Hit(document: number, score: score)
            if let origin {
                let distance = GreatCircle.kilometres(from: origin, to: (facts[number].latitude, facts[number].longitude))
                if let radius = request.radiusKm, distance > radius { return }
                hit.distanceKm = distance
            }
            found.append(hit)
        }
        if text.isEmpty {
            for number in documents.indices { consider(number, score: 0) }
        } else {
            for (number, score) in matches(text) { consider(number, score: score) }
        }
        let page = top(request.offset + request.limit, of: found, by: request.sort).dropFirst(request.offset)
        return Found(page: Array(page), total: found.count, facets: facets(of: found, currency: request.currency))
    }

    /// The first `count` of `hits` in `sort`'s order: kept in a short sorted list for a page (most hits fall behind
    /// its last one at the first comparison), sorted whole for a deep one.
    func top(_ count: Int, of hits: [Hit], by sort: SearchRequest.Sort) -> [Hit] {
        guard count <= 256 else { return Array(hits.sorted { precedes($0, $1, by: sort) }.prefix(count)) }
        var top: [Hit] = []
        top.reserveCapacity(count + 1)
        for hit in hits {
            if top.count == count, let last = top.last, !precedes(hit, last, by: sort) { continue }
            var low = 0
            var high = top.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(hit, top[middle], by: sort) { high = middle } else { low = middle + 1 }
            }
            top.insert(hit, at: low)
            if top.count > count { top.removeLast() }
        }
        return top
    }

    /// The asked order, then relevance, rating, popularity, and the id so that pages never overlap.
    private func precedes(_ a: Hit, _ b: Hit, by sort: SearchRequest.Sort) -> Bool {
        let x = facts[a.document]
        let y = facts[b.document]
        switch sort {
        case .price where x.price != y.price: return x.price < y.price
        case .priceDescending where x.price != y.price: return x.price > y.price
        case .distance where a.distanceKm != b.distanceKm: return (a.distanceKm ?? .infinity) < (b.distanceKm ?? .infinity)
        case .rating where x.rating != y.rating: return x.rating > y.rating
        case .popularity where x.bookings != y.bookings: return x.bookings > y.bookings
        default: break
        }
        if a.score != b.score { return a.score > b.score }
        if x.rating != y.rating { return x.rating > y.rating }
        if x.bookings != y.bookings { return x.bookings > y.bookings }
        return documents[a.document].id < documents[b.document].id
    }

    /// Categories and languages counted; five equal price ranges between the cheapest and the dearest in `currency`
    /// or else the most common one; durations in fixed ranges. Counted by the index's numbers, named at the end.
    private func facets(of hits: [Hit], currency asked: String?) -> Facets {
        var categoryCounts = [Int](repeating: 0, count: categories.all.count)
        var languageCounts = [Int](repeating: 0, count: languages.all.count)
        var currencyCounts = [Int](repeating: 0, count: currencies.all.count)
        var durations = [Int](repeating: 0, count: Facets.durationBounds.count)
        for hit in hits {
            let facts = facts[hit.document]
            categoryCounts[Int(facts.category)] += 1
            currencyCounts[Int(facts.currency)] += 1
            var bits = facts.languages
            while bits != 0 {
                languageCounts[bits.trailingZeroBitCount] += 1
                bits &= bits - 1
            }
            if facts.hasOtherLanguages {
                for language in documents[hit.document].languages {
                    if let number = languages.number(of: language), number >= 64 { languageCounts[Int(number)] += 1 }
                }
            }
            durations[Facets.durationBounds.lastIndex { $0 <= Int(facts.durationMinutes) } ?? 0] += 1
        }
        func named(_ counts: [Int], _ names: Names) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: counts.indices.filter { counts[$0] > 0 }.map { (names[UInt32($0)], counts[$0]) })
        }
        let category = named(categoryCounts, categories)
        let language = named(languageCounts, languages)
        let duration = Facets.durationBounds.indices.map { index in
            Facets.DurationBucket(
                from: Facets.durationBounds[index],
                to: index + 1 < Facets.durationBounds.count ? Facets.durationBounds[index + 1] : nil,
                count: durations[index]
            )
        }
        let currency = asked ?? named(currencyCounts, currencies).max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let number = currency.flatMap { currencies.number(of: $0) }
        let prices = hits.compactMap { facts[$0.document].currency == number ? facts[$0.document].price : nil }
        guard let currency, let low = prices.min(), let high = prices.max() else {
            return Facets(category: category, priceRange: [], duration: duration, language: language)
        }
        var counts = [Int](repeating: 0, count: 5)
        for price in prices { counts[min(Int(5 * (price - low) / (high + 1 - low)), 4)] += 1 }
        // Where each range starts: five equal steps from the cheapest; the last ends at the dearest.
        let step: (Int64) -> Int64 = { low + (high - low) * $0 / 5 }
        let priceRange = (0..<5).map { bucket in
            Facets.PriceBucket(from: step(Int64(bucket)), to: bucket == 4 ? high : step(Int64(bucket + 1)), currency: currency, count: counts[bucket])
        }
        return Facets(category: category, priceRange: priceRange, duration: duration, language: language)
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
