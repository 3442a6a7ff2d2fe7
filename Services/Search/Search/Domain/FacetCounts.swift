/// A search's facets, counted as it finds each hit while that document's facts are at hand: counting them in a pass
/// of their own read tens of thousands of documents' facts from memory a second time.
/// Counts and prices live in buffers of their own (hence not copyable): an array's element write checks its storage
/// is not shared, several times for every hit.
struct FacetCounts: ~Copyable {
    /// Hits by category number, then by language number, then by duration range.
    private let counts: UnsafeMutableBufferPointer<Int>
    private let languagesStart: Int
    private let durationsStart: Int
    /// Each hit's price and its currency's number, in the order counted.
    private let prices: UnsafeMutableBufferPointer<Int64>
    private let currencies: UnsafeMutableBufferPointer<UInt16>
    private var priced = 0
    /// Where each duration range after the first starts.
    private let durationStarts = Array(Facets.durationBounds.dropFirst())

    /// For a search that finds at most `most` hits.
    init(for index: TextIndex, most: Int) {
        languagesStart = index.categories.all.count
        durationsStart = languagesStart + index.languages.all.count
        counts = .allocate(capacity: durationsStart + Facets.durationBounds.count)
        counts.initialize(repeating: 0)
        prices = .allocate(capacity: most)
        currencies = .allocate(capacity: most)
    }

    deinit {
        counts.deallocate()
        prices.deallocate()
        currencies.deallocate()
    }

    /// Counts a hit. (Counts cannot overflow: there are fewer hits than documents.)
    mutating func count(_ document: Int, _ facts: DocumentFacts, in index: TextIndex) {
        counts[Int(facts.category)] &+= 1
        prices[priced] = facts.price
        currencies[priced] = facts.currency
        priced &+= 1
        var bits = facts.languages
        while bits != 0 {
            counts[languagesStart &+ bits.trailingZeroBitCount] &+= 1
            bits &= bits &- 1
        }
        if facts.hasOtherLanguages {
            for language in index.documents[document].languages {
                if let number = index.languages.number(of: language), number >= 64 { counts[languagesStart + Int(number)] += 1 }
            }
        }
        // The last range starting at or before the duration: the bounds ascend from 0.
        var range = durationsStart
        for bound in durationStarts where Int(facts.durationMinutes) >= bound { range &+= 1 }
        counts[range] &+= 1
    }

    /// Categories and languages counted; five equal price ranges between the cheapest and the dearest in `currency`
    /// or else the most common one; durations in fixed ranges. Named at the end.
    func facets(currency asked: String?, in index: TextIndex) -> Facets {
        func named(_ counts: [Int], _ names: Names) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: counts.indices.filter { counts[$0] > 0 }.map { (names[UInt32($0)], counts[$0]) })
        }
        let category = named(Array(counts[..<languagesStart]), index.categories)
        let language = named(Array(counts[languagesStart..<durationsStart]), index.languages)
        let duration = Facets.durationBounds.indices.map { bucket in
            Facets.DurationBucket(
                from: Facets.durationBounds[bucket],
                to: bucket + 1 < Facets.durationBounds.count ? Facets.durationBounds[bucket + 1] : nil,
                count: counts[durationsStart + bucket]
            )
        }
        let hits = 0..<priced
        var low = [Int64](repeating: .max, count: index.currencies.all.count)
        var high = [Int64](repeating: .min, count: index.currencies.all.count)
        var perCurrency = [Int](repeating: 0, count: index.currencies.all.count)
        for hit in hits {
            let currency = Int(currencies[hit])
            low[currency] = min(low[currency], prices[hit])
            high[currency] = max(high[currency], prices[hit])
            perCurrency[currency] += 1
        }
        let currency = asked ?? named(perCurrency, index.currencies).max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        guard let currency, let number = index.currencies.number(of: currency).map(Int.init), perCurrency[number] > 0 else {
            return Facets(category: category, priceRange: [], duration: duration, language: language)
        }
        let (cheapest, dearest) = (low[number], high[number])
        // A price is in range k when 5 × (price − cheapest) ≥ k × (dearest + 1 − cheapest): the least such price for
        // k = 1…4, so that each hit is placed by comparisons rather than a division.
        let span = dearest + 1 - cheapest
        let starts = (1...4).map { k in cheapest + (Int64(k) * span + 4) / 5 }
        var ranges = [Int](repeating: 0, count: 5)
        for hit in hits where Int(currencies[hit]) == number {
            let price = prices[hit]
            ranges[(price >= starts[0] ? 1 : 0) + (price >= starts[1] ? 1 : 0) + (price >= starts[2] ? 1 : 0) + (price >= starts[3] ? 1 : 0)] += 1
        }
        // Where each range starts: five equal steps from the cheapest; the last ends at the dearest.
        let step: (Int64) -> Int64 = { cheapest + (dearest - cheapest) * $0 / 5 }
        let priceRange = (0..<5).map { bucket in
            Facets.PriceBucket(from: step(Int64(bucket)), to: bucket == 4 ? dearest : step(Int64(bucket + 1)), currency: currency, count: ranges[bucket])
        }
        return Facets(category: category, priceRange: priceRange, duration: duration, language: language)
    }
}
