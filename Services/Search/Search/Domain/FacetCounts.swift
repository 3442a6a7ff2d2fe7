/// A search's facets, counted as it finds each hit while that document's facts are at hand: counting them in a pass
/// of their own read tens of thousands of documents' facts from memory a second time.
struct FacetCounts {
    private var categories: [Int]
    private var languages: [Int]
    private var durations = [Int](repeating: 0, count: Facets.durationBounds.count)
    /// The hits' prices, by their currency's number.
    private var prices: [[Int64]]

    init(for index: TextIndex) {
        categories = [Int](repeating: 0, count: index.categories.all.count)
        languages = [Int](repeating: 0, count: index.languages.all.count)
        prices = [[Int64]](repeating: [], count: index.currencies.all.count)
    }

    mutating func count(_ document: Int, _ facts: DocumentFacts, in index: TextIndex) {
        categories[Int(facts.category)] += 1
        prices[Int(facts.currency)].append(facts.price)
        var bits = facts.languages
        while bits != 0 {
            languages[bits.trailingZeroBitCount] += 1
            bits &= bits - 1
        }
        if facts.hasOtherLanguages {
            for language in index.documents[document].languages {
                if let number = index.languages.number(of: language), number >= 64 { languages[Int(number)] += 1 }
            }
        }
        durations[Facets.durationBounds.lastIndex { $0 <= Int(facts.durationMinutes) } ?? 0] += 1
    }

    /// Categories and languages counted; five equal price ranges between the cheapest and the dearest in `currency`
    /// or else the most common one; durations in fixed ranges. Named at the end.
    func facets(currency asked: String?, in index: TextIndex) -> Facets {
        func named(_ counts: [Int], _ names: Names) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: counts.indices.filter { counts[$0] > 0 }.map { (names[UInt32($0)], counts[$0]) })
        }
        let category = named(categories, index.categories)
        let language = named(languages, index.languages)
        let duration = Facets.durationBounds.indices.map { bucket in
            Facets.DurationBucket(
                from: Facets.durationBounds[bucket],
                to: bucket + 1 < Facets.durationBounds.count ? Facets.durationBounds[bucket + 1] : nil,
                count: durations[bucket]
            )
        }
        let currency = asked ?? named(prices.map(\.count), index.currencies).max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let prices = currency.flatMap { index.currencies.number(of: $0) }.map { self.prices[Int($0)] } ?? []
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
