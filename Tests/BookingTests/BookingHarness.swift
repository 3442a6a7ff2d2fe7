import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

/// The Booking service under test: one stand-in plays Auth's JWKS, Payment, Notify and Search; a movable clock;
/// a schema of its own in the test database.
struct BookingHarness: Sendable {
    let client: any TestClientProtocol
    let clock: TestClock
    let peers: Recorder
    let postgres: PostgresClient
    let credential: ServiceCredential
    /// Auth's, for the routes Auth calls.
    let authCredential: ServiceCredential
    static let tokens = TestTokens()

    static func run<Value: Sendable>(_ overrides: [String: String] = [:], _ body: @Sendable (BookingHarness) async throws -> Value) async throws -> Value {
        let peers = Recorder()
        return try await withStandIn(peers.router(tokens: tokens)) { port in
            var variables = ["BOOKING_JOBS_INTERVAL_MS": "100", "OUTBOX_MIN_BACKOFF_MS": "50", "OUTBOX_MAX_BACKOFF_MS": "200"]
            for peer in [ServiceName.auth, .payment, .notify, .search, .messaging] {
                variables["\(peer.rawValue.uppercased())_URL"] = "http://127.0.0.1:\(port)"
            }
            let clock = TestClock()
            return try await ServiceUnderTest.run(
                .booking, variables: variables.merging(overrides) { $1 },
                build: {
                    try await buildApplication(configuration: $0, clock: clock.clock)
                }
            ) { service in
                let credential = await ServiceCredential(service: .payment, secret: service.configuration.serviceSecret)
                let authCredential = await ServiceCredential(service: .auth, secret: service.configuration.serviceSecret)
                return try await body(
                    BookingHarness(
                        client: service.client, clock: clock, peers: peers, postgres: service.postgres, credential: credential,
                        authCredential: authCredential))
            }
        }
    }

    // MARK: Requests

    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: [String: any Sendable]? = nil, as user: User? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await client.send(method, path, json: body, token: user?.token, headers: headers)
    }

    /// What Payment would tell Booking about the booking's payment; `caller` stands for another service saying it.
    func paymentEvent(
        _ kind: BookingPayments.PaymentEvent.Kind, for booking: Booking, amount: Int64? = nil, caller: ServiceCredential? = nil
    ) async throws -> TestResponse {
        let event = BookingPayments.PaymentEvent(
            bookingId: booking.id, paymentId: UUID(), kind: kind,
            amount: Money(amount: amount ?? booking.total.amount, currency: booking.total.currency), occurredAt: Date()
        )
        return try await client.executeRequest(
            uri: BookingPayments.PaymentEvent.path, method: .post,
            headers: [
                .authorization: "Bearer \(try await (caller ?? credential).token(for: .booking))", .contentType: "application/json",
                .outboxMessageID: UUID().uuidString,
            ],
            body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(event))
        )
    }

    /// `body` to internal `path` as `caller` (another service) would send it.
    func internalCall(_ method: HTTPRequest.Method, _ path: String, _ body: some Encodable, as caller: ServiceCredential) async throws -> TestResponse {
        try await client.executeRequest(
            uri: path, method: method,
            headers: [
                .authorization: "Bearer \(try await caller.token(for: .booking))", .contentType: "application/json", .outboxMessageID: UUID().uuidString,
            ],
            body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(body)))
    }

    // MARK: Fixtures

    typealias User = TestTokens.User

    static func user(_ role: Role) async throws -> User {
        try await tokens.user(role)
    }

    static func experienceBody(
        mode: String = "instant", policy: String = "flexible", maxGuests: Int = 6, timeZone: String = "America/Cancun"
    ) -> [String: any Sendable] {
        let location: [String: any Sendable] = [
            "latitude": 20.6296, "longitude": -87.0739, "city": "Tulum", "country": "MX", "address": "Carretera Tulum-Cobá km 8",
        ]
        let price: [String: any Sendable] = ["amount": 85000, "currency": "MXN"]
        return [
            "title": "Cenote snorkeling at dawn", "description": "Swim in three cenotes before the crowds.", "category": "nature",
            "tags": ["cenote", "snorkel"], "location": location,
            "timeZone": timeZone, "durationMinutes": 180, "price": price, "maxGuests": maxGuests,
            "bookingMode": mode, "cancellationPolicy": policy, "languages": ["es", "en"],
        ]
    }

    /// A published experience of `provider`.
    func publishedExperience(of provider: User, mode: String = "instant", policy: String = "flexible") async throws -> Experience {
        let created = try await send(.post, "/api/v1/experiences", Self.experienceBody(mode: mode, policy: policy), as: provider)
        try #require(created.status == .created, "\(created.text)")
        let id = try created.decode(Experience.self).id
        let published = try await send(.post, "/api/v1/experiences/\(id)/publish", as: provider)
        try #require(published.status == .ok)
        return try published.decode(Experience.self)
    }

    /// A slot `daysAhead` days from now with `capacity` seats.
    func slot(of experience: Experience, by provider: User, capacity: Int = 10, daysAhead: Double = 10, at start: Date? = nil) async throws -> Slot {
        let startsAt = ISO8601Format.string(start ?? clock.clock.now().addingTimeInterval(daysAhead * 86_400))
        let response = try await send(
            .post, "/api/v1/experiences/\(experience.id)/slots", ["startsAt": startsAt, "capacity": capacity, "allowOverlap": true], as: provider)
        try #require(response.status == .created, "\(response.text)")
        return try response.decode(Slot.self)
    }

    /// `hour`:00 in Cancún (the fixtures' time zone, UTC-5 all year), `days` local days from today there.
    func cancun(daysAhead days: Int, hour: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Cancun")!
        let today = calendar.startOfDay(for: clock.clock.now())
        return calendar.date(byAdding: DateComponents(day: days, hour: hour), to: today)!
    }

    func book(_ slot: Slot, as traveler: User, guests: Int = 1, key: String = UUID().uuidString) async throws -> TestResponse {
        try await send(.post, "/api/v1/bookings", ["slotId": slot.id.uuidString, "guests": guests], as: traveler, headers: [.idempotencyKey: key])
    }

    /// A booking, paid for (so confirmed for instant book, awaiting the provider for request to book).
    func paidBooking(_ slot: Slot, as traveler: User, guests: Int = 1) async throws -> Booking {
        let made = try await book(slot, as: traveler, guests: guests).decode(Booking.self)
        try #require(try await paymentEvent(.succeeded, for: made).status == .noContent)
        return try await send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self)
    }

    /// The one integer `query` selects.
    func count(_ query: PostgresQuery) async throws -> Int {
        let rows = try await postgres.query(query)
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    func remaining(_ slot: Slot) async throws -> Int {
        let rows = try await postgres.query("SELECT remaining FROM slots WHERE id = \(slot.id)")
        for try await remaining in rows.decode(Int.self) { return remaining }
        return -1
    }
}
