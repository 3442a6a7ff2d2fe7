import Contracts
import Foundation
import Hummingbird

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
    /// The experience's cover photo, absent without one.
    var coverPhoto: PhotoLinks? = nil
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

    /// Where the duration ranges start, in minutes; each ends where the next starts.
    static let durationBounds = [0, 60, 120, 240, 480]

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
