import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Search

/// Search on a schema of its own, fed by the test as Booking's outbox would, with `booking` as Booking's stand-in.
struct SearchHarness: Sendable {
    let client: any TestClientProtocol
    let postgres: PostgresClient
    let credential: ServiceCredential
    let authCredential: ServiceCredential
    static let tokens = TestTokens()

    static func run<Value: Sendable>(
        booking: Router<BasicRequestContext> = emptyBooking(), variables: [String: String] = [:], _ body: @Sendable (SearchHarness) async throws -> Value
    ) async throws -> Value {
        // The stand-in is Auth too, for the signed-in routes' keys.
        tokens.publish(on: booking)
        return try await withStandIn(booking) { port in
            try await ServiceUnderTest.run(
                .search,
                variables: [
                    "BOOKING_URL": "http://127.0.0.1:\(port)", "AUTH_URL": "http://127.0.0.1:\(port)", "RECOMMENDATIONS_INTERVAL_MS": "200",
                ].merging(variables) { $1 },
                build: {
                    try await buildApplication(configuration: $0)
                }
            ) { service in
                let credential = await ServiceCredential(service: .booking, secret: service.configuration.serviceSecret)
                let authCredential = await ServiceCredential(service: .auth, secret: service.configuration.serviceSecret)
                return try await body(SearchHarness(client: service.client, postgres: service.postgres, credential: credential, authCredential: authCredential))
            }
        }
    }

    /// A Booking with nothing to index, for the reindex Search starts with while its index is empty.
    static func emptyBooking() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(SearchFeedPage.path)) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(SearchFeedPage(events: [], nextCursor: nil)))))
        }
        return router
    }

    func count(_ query: PostgresQuery) async throws -> Int {
        for try await count in try await postgres.query(query).decode(Int.self) { return count }
        return 0
    }

    /// Sends `event` as Booking's outbox does; 204 expected.
    @discardableResult
    func feed(_ event: SearchFeedEvent) async throws -> TestResponse {
        try await client.executeRequest(
            uri: SearchFeedEvent.path, method: .post,
            headers: [.authorization: "Bearer \(try await credential.token(for: .search))", .contentType: "application/json"],
            body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(event))
        )
    }

    /// Feeds the catalog: every experience and its slot.
    func load(_ catalog: [Catalog.Entry]) async throws {
        for entry in catalog {
            try #require(try await feed(entry.experienceEvent).status == .noContent)
            if let slot = entry.slotEvent { try #require(try await feed(slot).status == .noContent) }
        }
    }

    func search(_ query: String) async throws -> SearchResults {
        let response = try await client.executeRequest(uri: "/api/v1/search?\(query)", method: .get, headers: [:], body: nil)
        try #require(response.status == .ok, "\(response.text)")
        return try response.decode(SearchResults.self)
    }

    func titles(_ query: String) async throws -> [String] {
        try await search(query).items.map(\.title)
    }

    func get(_ path: String, as user: TestTokens.User? = nil) async throws -> TestResponse {
        try await client.executeRequest(uri: path, method: .get, headers: user.map { [.authorization: "Bearer \($0.token)"] } ?? [:], body: nil)
    }
}

/// A small hand-built catalog with known answers, on the Yucatán peninsula.
enum Catalog {
    struct Entry: Sendable {
        var experience: SearchFeedEvent.Experience
        var slot: SearchFeedEvent.Slot?

        var experienceEvent: SearchFeedEvent { SearchFeedEvent(kind: .experienceChanged, version: 1, occurredAt: Date(), experience: experience) }
        var slotEvent: SearchFeedEvent? { slot.map { SearchFeedEvent(kind: .slotChanged, version: 1, occurredAt: Date(), slot: $0) } }
    }

    static let slotTime = Calendar(identifier: .gregorian).startOfDay(for: Date().addingTimeInterval(3 * 86_400)).addingTimeInterval(15 * 3600)
    static var slotDay: String { String(ISO8601Format.string(slotTime).prefix(10)) }

    static func entry(
        _ title: String, _ description: String, category: String, tags: [String], at place: (String, Double, Double), price: Int64, minutes: Int,
        languages: [String], rating: Double, status: String = "published", seats: Int? = 10, maxGuests: Int = 10
    ) -> Entry {
        let id = UUID()
        let experience = SearchFeedEvent.Experience(
            id: id, providerId: UUID(), title: title, description: description, category: category, tags: tags, latitude: place.1,
            longitude: place.2, city: place.0, country: "MX", durationMinutes: minutes, price: Money(amount: price, currency: "MXN"),
            maxGuests: maxGuests, languages: languages, status: status, ratingAverage: rating, ratingCount: 12
        )
        let slot = seats.map { SearchFeedEvent.Slot(id: UUID(), experienceId: id, startsAt: slotTime, capacity: 10, remaining: $0, status: "open") }
        return Entry(experience: experience, slot: slot)
    }

    static let valladolid = ("Valladolid", 20.6896, -88.2022)
    static let akumal = ("Akumal", 20.3963, -87.3154)
    static let merida = ("Mérida", 20.9674, -89.5926)
    static let uxmal = ("Uxmal", 20.3594, -89.7714)

    static func make() -> [Entry] {
        [
            entry(
                "Cenote swim near Valladolid", "Swim in a turquoise sinkhole under the jungle, with a guide who knows its caves.",
                category: "nature", tags: ["cenote", "swimming"], at: valladolid, price: 85_000, minutes: 180, languages: ["es", "en"], rating: 4.8),
            entry(
                "Snorkeling with turtles in Akumal", "Float above sea turtles grazing in the bay; gear included.",
                category: "water", tags: ["snorkeling", "turtles", "beach"], at: akumal, price: 120_000, minutes: 240, languages: ["en"], rating: 4.6, seats: 2),
            entry(
                "Tacos al pastor night tour", "Five stands, five kinds of street food, and the story of each.",
                category: "food", tags: ["tacos", "street food"], at: merida, price: 60_000, minutes: 150, languages: ["es", "en"], rating: 4.9),
            entry(
                "Ruinas mayas de Uxmal al amanecer", "Camina entre pirámides y palacios antes del calor, con un arqueólogo.",
                category: "culture", tags: ["ruinas", "historia"], at: uxmal, price: 150_000, minutes: 300, languages: ["es"], rating: 4.4),
            entry(
                "Cooking class: Yucatecan cuisine", "Cook cochinita pibil and handmade tortillas for tacos; cocina tradicional.",
                category: "food", tags: ["cooking", "cocina"], at: merida, price: 95_000, minutes: 240, languages: ["en"], rating: 4.7),
            entry(
                "Secret cenote", "Not ready yet.", category: "nature", tags: ["cenote"], at: valladolid, price: 50_000, minutes: 120,
                languages: ["es"], rating: 0, status: "draft"),
            entry(
                "Bird watching at Celestún", "Flamingos at dawn from a small boat.", category: "nature", tags: ["birds", "flamingos"],
                at: ("Celestún", 20.8590, -90.3990), price: 70_000, minutes: 240, languages: ["es", "en"], rating: 4.5, seats: nil),
        ]
    }

}
