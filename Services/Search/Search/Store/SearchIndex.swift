import Contracts
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// One experience found.
struct SearchHit: Codable, Sendable, Equatable {
    struct Rating: Codable, Sendable, Equatable {
        var average: Double
        var count: Int
    }

    var id: UUID
    var title: String
    /// A piece of the description with the matched words in `<mark>`; the rest is escaped HTML.
    var snippet: String
    var category: String
    var city: String
    var country: String
    var price: Money
    var durationMinutes: Int
    var rating: Rating
    var distanceKm: Double?
    var nextAvailable: Date?
    var score: Double
}

/// Counts over everything found (not only the page).
struct Facets: Codable, Sendable, Equatable {
    struct PriceBucket: Codable, Sendable, Equatable {
        var from: Int64
        var to: Int64
        var currency: String
        var count: Int
    }

    struct DurationBucket: Codable, Sendable, Equatable {
        var from: Int
        /// Minutes, exclusive; `nil` for the last bucket.
        var to: Int?
        var count: Int
    }

    var category: [String: Int]
    /// Five equal ranges between the cheapest and the dearest, in the asked currency or the most common one.
    var priceRange: [PriceBucket]
    var duration: [DurationBucket]
    var language: [String: Int]
}

struct SearchResults: ResponseCodable, Sendable, Equatable {
    var items: [SearchHit]
    var facets: Facets
    var total: Int
    var nextCursor: String?
}

/// Searches the documents in one round trip: the page and every facet come back as JSON from one statement over
/// the same matched set.
struct SearchIndex: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func search(_ request: SearchRequest, words: [String], now: Date) async throws -> SearchResults {
        let hasText = !request.text.isEmpty
        let sort = request.sort.rawValue
        // The text query and the point are written out where they are used, not joined from a CTE: planned with the
        // request's values, they are constants, which the GIN and GiST indexes can take. Slots are read per document
        // only to filter by date or by seats for a group; otherwise the document's last open slot says whether it has
        // future availability, and only the page's next slot is looked up.
        let checksSlots = request.guests > 1 || request.from != nil || request.to != nil
        // The page's order; the sort is one of a fixed set of names, safe to write into the statement.
        let order = """
            CASE WHEN '\(sort)' = 'price' THEN price_amount END ASC, CASE WHEN '\(sort)' = '-price' THEN price_amount END DESC,
            CASE WHEN '\(sort)' = 'distance' THEN distance_km END ASC, CASE WHEN '\(sort)' = 'rating' THEN rating_average END DESC,
            CASE WHEN '\(sort)' = 'popularity' THEN bookings END DESC, score DESC, rating_average DESC, bookings DESC, id
            """
        let rows = try await postgres.query(
            """
            WITH query AS (
                SELECT CASE WHEN \(hasText) THEN text_query(\(words)::text[], \(request.text.lastIsPrefix), \(request.text.phrases)::text[]) END AS q
            ),
            found AS MATERIALIZED (
                SELECT d.id, d.category, d.languages, d.currency, d.price_amount, d.duration_minutes, d.rating_average, d.bookings,
                    CASE WHEN \(hasText) THEN ts_rank(d.words, text_query(\(words)::text[], \(request.text.lastIsPrefix), \(request.text.phrases)::text[])) ELSE 0 END AS score,
                    CASE WHEN \(request.latitude)::float8 IS NULL THEN NULL
                         ELSE earth_distance(ll_to_earth(\(request.latitude), \(request.longitude)), ll_to_earth(d.latitude, d.longitude)) / 1000 END AS distance_km
                FROM documents d
                WHERE d.status = 'published'
                  AND (NOT \(hasText) OR d.words @@ text_query(\(words)::text[], \(request.text.lastIsPrefix), \(request.text.phrases)::text[]))
                  AND (cardinality(\(request.categories)::text[]) = 0 OR d.category = ANY(\(request.categories)::text[]))
                  AND (\(request.currency)::text IS NULL OR d.currency = \(request.currency))
                  AND (\(request.minPrice)::bigint IS NULL OR d.price_amount >= \(request.minPrice))
                  AND (\(request.maxPrice)::bigint IS NULL OR d.price_amount <= \(request.maxPrice))
                  AND (\(request.minDuration)::int IS NULL OR d.duration_minutes >= \(request.minDuration))
                  AND (\(request.maxDuration)::int IS NULL OR d.duration_minutes <= \(request.maxDuration))
                  AND (\(request.language)::text IS NULL OR \(request.language) = ANY(d.languages))
                  AND (\(request.minRating)::float8 IS NULL OR d.rating_average >= \(request.minRating))
                  AND (\(request.guests) <= d.max_guests)
                  AND (\(request.latitude)::float8 IS NULL OR \(request.radiusKm)::float8 IS NULL
                       OR (earth_box(ll_to_earth(\(request.latitude), \(request.longitude)), \(request.radiusKm) * 1000) @> ll_to_earth(d.latitude, d.longitude)
                           AND earth_distance(ll_to_earth(\(request.latitude), \(request.longitude)), ll_to_earth(d.latitude, d.longitude)) <= \(request.radiusKm) * 1000))
                  AND (\(request.includeUnavailable) OR (d.last_open_at > \(now) AND (NOT \(checksSlots) OR EXISTS (
                      SELECT 1 FROM slots s
                      WHERE s.experience_id = d.id AND s.status = 'open' AND s.starts_at > \(now) AND s.remaining >= \(request.guests)
                        AND (\(request.from)::timestamptz IS NULL OR s.starts_at >= \(request.from))
                        AND (\(request.to)::timestamptz IS NULL OR s.starts_at < \(request.to))))))
            ),
            ranked AS (
                SELECT top.*, row_number() OVER (ORDER BY \(unescaped: order)) AS ordinal
                FROM (SELECT * FROM found ORDER BY \(unescaped: order) LIMIT \(request.limit) OFFSET \(request.offset)) top
            ),
            page AS (
                SELECT ranked.*, d.title, d.description, d.city, d.country, d.rating_count, query.q,
                    (SELECT min(s.starts_at) FROM slots s
                     WHERE s.experience_id = d.id AND s.status = 'open' AND s.starts_at > \(now) AND s.remaining >= \(request.guests)
                       AND (\(request.from)::timestamptz IS NULL OR s.starts_at >= \(request.from))
                       AND (\(request.to)::timestamptz IS NULL OR s.starts_at < \(request.to))) AS next_available
                FROM ranked JOIN documents d ON d.id = ranked.id, query
            ),
            prices AS (
                SELECT price_amount, currency FROM found
                WHERE currency = coalesce(\(request.currency), (SELECT currency FROM found GROUP BY currency ORDER BY count(*) DESC LIMIT 1))
            ),
            bounds AS (SELECT min(price_amount) AS low, max(price_amount) AS high, min(currency) AS currency FROM prices)
            SELECT
                (SELECT count(*) FROM found)::int,
                (SELECT coalesce(json_object_agg(category, n), '{}') FROM (SELECT category, count(*) AS n FROM found GROUP BY category) c)::text,
                (SELECT coalesce(json_object_agg(language, n), '{}')
                 FROM (SELECT unnest(languages) AS language, count(*) AS n FROM found GROUP BY 1) l)::text,
                (SELECT coalesce(json_agg(json_build_object('from', low, 'to', high, 'currency', currency, 'count', coalesce(n, 0)) ORDER BY low), '[]')
                 FROM (SELECT bounds.low + (bounds.high - bounds.low) * (b - 1) / 5 AS low,
                              CASE WHEN b = 5 THEN bounds.high ELSE bounds.low + (bounds.high - bounds.low) * b / 5 END AS high,
                              bounds.currency, counted.n
                       FROM bounds CROSS JOIN generate_series(1, 5) AS b
                       LEFT JOIN (SELECT least(width_bucket(price_amount, bounds.low, bounds.high + 1, 5), 5) AS bucket, count(*) AS n
                                  FROM prices, bounds GROUP BY 1) counted ON counted.bucket = b
                       WHERE bounds.low IS NOT NULL) p)::text,
                (SELECT json_agg(json_build_object('from', low, 'to', high, 'count', coalesce(counted.n, 0)) ORDER BY low)
                 FROM (VALUES (0, 60), (60, 120), (120, 240), (240, 480), (480, NULL)) AS d(low, high)
                 LEFT JOIN (SELECT CASE WHEN duration_minutes < 60 THEN 0 WHEN duration_minutes < 120 THEN 60 WHEN duration_minutes < 240 THEN 120
                                        WHEN duration_minutes < 480 THEN 240 ELSE 480 END AS bucket, count(*) AS n
                            FROM found GROUP BY 1) counted ON counted.bucket = d.low)::text,
                (SELECT coalesce(json_agg(json_build_object(
                    'id', id, 'title', title, 'category', category, 'city', city, 'country', country,
                    'snippet', CASE WHEN q IS NULL THEN left(replace(replace(replace(description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), 160)
                               ELSE ts_headline('simple', replace(replace(replace(description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), q,
                                    'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=10, MaxFragments=1') END,
                    'price', json_build_object('amount', price_amount, 'currency', currency), 'durationMinutes', duration_minutes,
                    'rating', json_build_object('average', rating_average, 'count', rating_count),
                    'distanceKm', round(distance_km::numeric, 2),
                    'nextAvailable', to_char(next_available AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                    'score', round(score::numeric, 4)
                 ) ORDER BY ordinal), '[]') FROM page)::text
            """,
            logger: logger
        )
        for try await (total, categories, languages, prices, durations, page) in rows.decode((Int, String, String, String, String, String).self) {
            let decoder = JSONDecoder.mayaGo
            let items = try decoder.decode([SearchHit].self, from: Data(page.utf8))
            let facets = Facets(
                category: try decoder.decode([String: Int].self, from: Data(categories.utf8)),
                priceRange: try decoder.decode([Facets.PriceBucket].self, from: Data(prices.utf8)),
                duration: try decoder.decode([Facets.DurationBucket].self, from: Data(durations.utf8)),
                language: try decoder.decode([String: Int].self, from: Data(languages.utf8))
            )
            let more = request.offset + items.count < total
            return SearchResults(items: items, facets: facets, total: total, nextCursor: more ? request.nextCursor : nil)
        }
        return SearchResults(items: [], facets: Facets(category: [:], priceRange: [], duration: [], language: [:]), total: 0, nextCursor: nil)
    }

    /// For each of `words` the lexicon does not know (nor, for the last while it is typed, starts a word of), the
    /// lexicon's nearest words within its typo allowance, nearest first, at most three: all words in one round trip.
    func corrections(of words: [String], lastIsPrefix: Bool) async throws -> [[String]] {
        let looked = words.indices.filter { Typos.allowed(in: words[$0]) > 0 }
        guard !looked.isEmpty else { return words.map { _ in [] } }
        let rows = try await postgres.query(
            """
            SELECT t.i::int, array(SELECT word FROM lexicon WHERE word % t.w ORDER BY similarity(word, t.w) DESC LIMIT 20)
            FROM unnest(\(looked.map { words[$0] })::text[], \(looked.map { lastIsPrefix && $0 == words.count - 1 })::bool[]) WITH ORDINALITY AS t(w, typing, i)
            WHERE NOT EXISTS (SELECT 1 FROM lexicon WHERE word = t.w)
              AND NOT (t.typing AND EXISTS (SELECT 1 FROM lexicon WHERE word ~>=~ t.w AND word ~<~ (t.w || chr(1114111))))
            """,
            logger: logger
        )
        var corrections = words.map { _ in [String]() }
        for try await (ordinal, candidates) in rows.decode((Int, [String]).self) {
            let index = looked[ordinal - 1], word = words[index]
            corrections[index] = Array(candidates.filter { $0 != word && Typos.distance($0, word) <= Typos.allowed(in: word) }.prefix(3))
        }
        return corrections
    }
}
