import Contracts
import Foundation
import Testing

@testable import Search

/// Search writes its results by hand (`SearchResults.json`); they must be what `JSONEncoder.mayaGo` writes, byte for
/// byte, whatever the hits hold.
@Suite struct SearchResultsJSONTests {
    static func hit(_ title: String, snippet: String, distance: Double?, next: Date?, photo: Bool, score: Double, rating: Double) -> SearchHit {
        let id = UUID()
        return SearchHit(
            id: id, title: title, snippet: snippet, category: "nature", city: "Cancún", country: "MX", price: Money(amount: -4500, currency: "MXN"),
            durationMinutes: 90, rating: .init(average: rating, count: 12), distanceKm: distance, nextAvailable: next, score: score,
            coverPhoto: photo ? PhotoLinks(experienceID: id, id: UUID()) : nil)
    }

    static let results = [
        SearchResults(
            items: [
                hit(
                    "Cenote \"azul\" / swim", snippet: "A <mark>cenote</mark>\\ of\tblue\nwater\r\u{01}\u{1F} 🌊 é", distance: 12.34,
                    next: Date(timeIntervalSince1970: 1_800_000_000.123), photo: true, score: 1, rating: 4.75),
                hit("Tacos", snippet: "", distance: nil, next: nil, photo: false, score: 0.0001, rating: 0),
                hit("Ruins", snippet: "\u{7F}\u{2028}", distance: 0, next: Date(timeIntervalSince1970: -1), photo: false, score: 0.3333, rating: 1e16),
            ],
            facets: Facets(
                category: ["water": 3, "Food": 2, "b": 1, "a": 1, "B": 7, "10": 1, "9": 4, "é": 2, "e": 5],
                priceRange: [.init(from: 100, to: 200, currency: "MXN", count: 2), .init(from: 200, to: 9_000_000_000, currency: "MXN", count: 0)],
                duration: [.init(from: 0, to: 60, count: 1), .init(from: 480, to: nil, count: 2)],
                language: ["es": 1, "en": 2]),
            total: 3, nextCursor: "bzoy/+="),
        SearchResults(
            items: [], facets: Facets(category: [:], priceRange: [], duration: [], language: [:]), total: 0, nextCursor: nil),
    ]

    @Test(arguments: results) func theSameBytesAsTheEncoder(_ results: SearchResults) throws {
        let encoded = try JSONEncoder.mayaGo.encode(results)
        #expect(String(decoding: results.json, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
    }

    /// A number JSON cannot hold is `null` rather than a page that fails whole (the encoder throws).
    @Test func aDistanceThatIsNoNumberIsNull() throws {
        let hit = Self.hit("Far", snippet: "", distance: .nan, next: nil, photo: false, score: .infinity, rating: 1)
        let results = SearchResults(items: [hit], facets: Self.results[1].facets, total: 1, nextCursor: nil)
        #expect(throws: EncodingError.self) { try JSONEncoder.mayaGo.encode(results) }
        let written = try #require(try JSONSerialization.jsonObject(with: results.json) as? [String: Any])
        let item = try #require((written["items"] as? [[String: Any]])?.first)
        #expect(item["distanceKm"] is NSNull)
        #expect(item["score"] is NSNull)
    }
}
