import Contracts
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit

/// An experience recommended, and why: `co-booking` (travelers who booked one booked the other), `content` (alike
/// in words), both joined by `+`, or `popular` (for a traveler with no history).
struct Recommendation: Codable, Sendable, Equatable {
    var id: UUID
    var title: String
    var category: String
    var city: String
    var country: String
    var price: Money
    var rating: SearchHit.Rating
    var score: Double
    var source: String
}

struct RecommendationList: ResponseCodable, Sendable, Equatable {
    var items: [Recommendation]
}

/// The `booked` and `neighbours` tables: what recommendations are computed from, and what they read.
struct Recommendations: Sendable {
    /// How much each source counts in the blend.
    static let weights = ["co-booking": 0.6, "content": 0.4]

    let postgres: PostgresClient
    /// The index in memory, where what is popular is counted.
    let follower: IndexFollower
    let logger: Logger

    /// Published experiences as the content model reads them: the description, and what says more (title, tags,
    /// category).
    func corpus() async throws -> [ContentSimilarity.Document] {
        let rows = try await postgres.query(
            "SELECT id, description, title || ' ' || joined(tags) || ' ' || category FROM documents WHERE status = 'published'",
            logger: logger
        )
        var documents: [ContentSimilarity.Document] = []
        for try await (id, text, emphasis) in rows.decode((UUID, String, String).self) {
            documents.append(ContentSimilarity.Document(id: id, text: text, emphasis: emphasis))
        }
        return documents
    }

    func bookings() async throws -> [(traveler: UUID, experience: UUID)] {
        let rows = try await postgres.query("SELECT traveler_id, experience_id FROM booked", logger: logger)
        var pairs: [(traveler: UUID, experience: UUID)] = []
        for try await (traveler, experience) in rows.decode((UUID, UUID).self) { pairs.append((traveler, experience)) }
        return pairs
    }

    /// Replaces every neighbour list in one transaction: queries read the old lists until it commits.
    func replace(_ lists: [String: [UUID: [(UUID, Double)]]]) async throws {
        var experiences: [UUID] = []
        var others: [UUID] = []
        var sources: [String] = []
        var scores: [Double] = []
        for (source, neighbours) in lists {
            for (experience, list) in neighbours {
                for (other, score) in list {
                    experiences.append(experience)
                    others.append(other)
                    sources.append(source)
                    scores.append(score)
                }
            }
        }
        try await postgres.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM neighbours", logger: logger)
            try await connection.query(
                """
                INSERT INTO neighbours (experience_id, other_id, source, score)
                SELECT * FROM unnest(\(experiences)::uuid[], \(others)::uuid[], \(sources)::text[], \(scores)::float8[])
                """,
                logger: logger
            )
        }
    }

    /// Experiences like `id`, both sources blended.
    func similar(to id: UUID, limit: Int) async throws -> [Recommendation] {
        try await list(
            """
            SELECT \(unescaped: Self.columns),
                   sum(CASE s.source WHEN 'co-booking' THEN \(Self.weights["co-booking"]!) ELSE \(Self.weights["content"]!) END * s.score) AS score,
                   string_agg(s.source, '+' ORDER BY s.source)
            FROM neighbours s JOIN documents d ON d.id = s.other_id AND d.status = 'published'
            WHERE s.experience_id = \(id)
            GROUP BY d.id ORDER BY score DESC, d.rating_average DESC, d.id LIMIT \(limit)
            """
        )
    }

    /// For a traveler: what is like what they booked (not what they booked); with no history, what is popular,
    /// within 50 km of them when they say where they are.
    func forTraveler(_ traveler: UUID, near point: (latitude: Double, longitude: Double)?, limit: Int) async throws -> [Recommendation] {
        let personal = try await list(
            """
            WITH mine AS (SELECT DISTINCT experience_id FROM booked WHERE traveler_id = \(traveler))
            SELECT \(unescaped: Self.columns),
                   sum(CASE s.source WHEN 'co-booking' THEN \(Self.weights["co-booking"]!) ELSE \(Self.weights["content"]!) END * s.score) AS score,
                   string_agg(DISTINCT s.source, '+')
            FROM neighbours s JOIN mine ON mine.experience_id = s.experience_id
            JOIN documents d ON d.id = s.other_id AND d.status = 'published'
            WHERE s.other_id NOT IN (SELECT experience_id FROM mine)
            GROUP BY d.id ORDER BY score DESC, d.rating_average DESC, d.id LIMIT \(limit)
            """
        )
        guard personal.isEmpty else { return personal }
        let popular = try await follower.read { index in
            let near = point.map { index.popular(within: ($0.latitude, $0.longitude, 50), limit: limit) } ?? []
            return near.isEmpty ? index.popular(within: nil, limit: limit) : near
        }
        return popular.map { document in
            Recommendation(
                id: document.id, title: document.title, category: document.category, city: document.city, country: document.country,
                price: document.price, rating: document.rating, score: Double(document.bookings), source: "popular"
            )
        }
    }

    func exists(_ id: UUID) async throws -> Bool {
        let rows = try await postgres.query("SELECT 1 FROM documents WHERE id = \(id) AND status = 'published'", logger: logger)
        return try await rows.returnedARow()
    }

    private static let columns = "d.id, d.title, d.category, d.city, d.country, d.price_amount, d.currency, d.rating_average, d.rating_count"

    private func list(_ query: PostgresQuery) async throws -> [Recommendation] {
        let rows = try await postgres.query(query, logger: logger)
        var items: [Recommendation] = []
        for try await r in rows.decode((UUID, String, String, String, String, Int64, String, Double, Int, Double, String).self) {
            items.append(
                Recommendation(
                    id: r.0, title: r.1, category: r.2, city: r.3, country: r.4, price: Money(amount: r.5, currency: r.6),
                    rating: .init(average: r.7, count: r.8), score: (r.9 * 10_000).rounded() / 10_000, source: r.10
                ))
        }
        return items
    }
}
