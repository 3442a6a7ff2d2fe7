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
        var found: [Hit] = []
        func consider(_ number: Int, score: Float) {
            let document = documents[number]
            guard document.passes(request, now: now) else { return }
            var hit = Hit(document: number, score: score)
            if let origin {
                let distance = GreatCircle.kilometres(from: origin, to: (document.latitude, document.longitude))
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
    private func top(_ count: Int, of hits: [Hit], by sort: SearchRequest.Sort) -> [Hit] {
        guard count <= 256 else { return Array(hits.sorted { precedes($0, $1, by: sort) }.prefix(count)) }
        var top: [Hit] = []
        top.reserveCapacity(count + 1)
        for hit in hits {
            if top.count == count, let last = top.last, !precedes(hit, last, by: sort) { continue }
            var low = 0, high = top.count
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
        let x = documents[a.document], y = documents[b.document]
        switch sort {
        case .price where x.price.amount != y.price.amount: return x.price.amount < y.price.amount
        case .priceDescending where x.price.amount != y.price.amount: return x.price.amount > y.price.amount
        case .distance where a.distanceKm != b.distanceKm: return (a.distanceKm ?? .infinity) < (b.distanceKm ?? .infinity)
        case .rating where x.rating.average != y.rating.average: return x.rating.average > y.rating.average
        case .popularity where x.bookings != y.bookings: return x.bookings > y.bookings
        default: break
        }
        if a.score != b.score { return a.score > b.score }
        if x.rating.average != y.rating.average { return x.rating.average > y.rating.average }
        if x.bookings != y.bookings { return x.bookings > y.bookings }
        return x.id < y.id
    }

    /// Categories and languages counted; five equal price ranges between the cheapest and the dearest in `currency`
    /// or else the most common one; durations in fixed ranges.
    private func facets(of hits: [Hit], currency asked: String?) -> Facets {
        var categories: [String: Int] = [:], languages: [String: Int] = [:], currencies: [String: Int] = [:]
        var durations = [Int](repeating: 0, count: Facets.durationBounds.count)
        for hit in hits {
            let document = documents[hit.document]
            categories[document.category, default: 0] += 1
            for language in document.languages { languages[language, default: 0] += 1 }
            currencies[document.price.currency, default: 0] += 1
            durations[Facets.durationBounds.lastIndex { $0 <= document.durationMinutes } ?? 0] += 1
        }
        let duration = Facets.durationBounds.indices.map { index in
            Facets.DurationBucket(
                from: Facets.durationBounds[index],
                to: index + 1 < Facets.durationBounds.count ? Facets.durationBounds[index + 1] : nil,
                count: durations[index]
            )
        }
        let currency = asked ?? currencies.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let prices = hits.map { documents[$0.document].price }.filter { $0.currency == currency }.map(\.amount)
        guard let currency, let low = prices.min(), let high = prices.max() else {
            return Facets(category: categories, priceRange: [], duration: duration, language: languages)
        }
        var counts = [Int](repeating: 0, count: 5)
        for price in prices { counts[min(Int(5 * (price - low) / (high + 1 - low)), 4)] += 1 }
        // Where each range starts: five equal steps from the cheapest; the last ends at the dearest.
        let step: (Int64) -> Int64 = { low + (high - low) * $0 / 5 }
        let priceRange = (0..<5).map { bucket in
            Facets.PriceBucket(from: step(Int64(bucket)), to: bucket == 4 ? high : step(Int64(bucket + 1)), currency: currency, count: counts[bucket])
        }
        return Facets(category: categories, priceRange: priceRange, duration: duration, language: languages)
    }
}

extension IndexedDocument {
    /// Whether the document is published and passes every filter of `request`, a slot to book included.
    func passes(_ request: SearchRequest, now: Date) -> Bool {
        guard isPublished, request.guests <= maxGuests,
            request.categories.isEmpty || request.categories.contains(category),
            request.currency.map({ $0 == price.currency }) ?? true,
            request.minPrice.map({ price.amount >= $0 }) ?? true,
            request.maxPrice.map({ price.amount <= $0 }) ?? true,
            request.minDuration.map({ durationMinutes >= $0 }) ?? true,
            request.maxDuration.map({ durationMinutes <= $0 }) ?? true,
            request.language.map({ languages.contains($0) }) ?? true,
            request.minRating.map({ rating.average >= $0 }) ?? true
        else { return false }
        return request.includeUnavailable || nextSlot(for: request, after: now) != nil
    }

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
        let dLatitude = (b.0 - a.0) * radians, dLongitude = (b.1 - a.1) * radians
        let h = sin(dLatitude / 2) * sin(dLatitude / 2) + cos(a.0 * radians) * cos(b.0 * radians) * sin(dLongitude / 2) * sin(dLongitude / 2)
        return 2 * 6378.168 * asin(min(1, h.squareRoot()))
    }
}
