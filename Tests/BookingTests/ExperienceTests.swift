import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

@Suite struct ExperienceTests {
    @Test func providersCreateDraftsThatOnlyTheySeeUntilPublished() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let stranger = try await BookingHarness.user(.traveler)
            let created = try await booking.send(.post, "/api/v1/experiences", BookingHarness.experienceBody(), as: provider)
            #expect(created.status == .created)
            let experience = try created.decode(Experience.self)
            #expect(experience.providerId == provider.id)
            #expect(experience.status == .draft)
            #expect(experience.rating == .init(average: 0, count: 0))

            #expect(try await booking.send(.get, "/api/v1/experiences/\(experience.id)").status == .notFound)
            #expect(try await booking.send(.get, "/api/v1/experiences/\(experience.id)", as: stranger).status == .notFound)
            #expect(try await booking.send(.get, "/api/v1/experiences/\(experience.id)", as: provider).status == .ok)
            let mine = try await booking.send(.get, "/api/v1/experiences?providerId=\(provider.id)", as: provider).decode(Page<Experience>.self)
            #expect(mine.items.map(\.id) == [experience.id])
            let public_ = try await booking.send(.get, "/api/v1/experiences?providerId=\(provider.id)").decode(Page<Experience>.self)
            #expect(public_.items.isEmpty)

            // Someone else's experience is not there for them to change.
            let other = try await BookingHarness.user(.provider)
            #expect(try await booking.send(.patch, "/api/v1/experiences/\(experience.id)", ["title": "Mine now"], as: other).status == .notFound)
            #expect(try await booking.send(.post, "/api/v1/experiences/\(experience.id)/publish", as: other).status == .notFound)

            let published = try await booking.send(.post, "/api/v1/experiences/\(experience.id)/publish", as: provider)
            #expect(try published.decode(Experience.self).status == .published)
            #expect(try await booking.send(.get, "/api/v1/experiences/\(experience.id)").status == .ok)
            let changed = try await booking.send(
                .patch, "/api/v1/experiences/\(experience.id)", ["price": ["amount": 90000, "currency": "MXN"] as [String: any Sendable]], as: provider)
            #expect(try changed.decode(Experience.self).price == Money(amount: 90000, currency: "MXN"))

            // Search heard of each version: created, published, changed.
            let complete = await eventually {
                await booking.peers.bodies(SearchFeedEvent.self, at: SearchFeedEvent.path).filter { $0.experience?.id == experience.id }.map(\.version).sorted()
                    == [1, 2, 3]
            }
            #expect(complete)
        }
    }

    @Test func travelersCannotListExperiencesAndBadFieldsAreNamed() async throws {
        try await BookingHarness.run { booking in
            let traveler = try await BookingHarness.user(.traveler)
            #expect(try await booking.send(.post, "/api/v1/experiences", BookingHarness.experienceBody(), as: traveler).status == .forbidden)
            #expect(try await booking.send(.post, "/api/v1/experiences", BookingHarness.experienceBody()).status == .unauthorized)

            let provider = try await BookingHarness.user(.provider)
            var body = BookingHarness.experienceBody(timeZone: "Mars/Olympus")
            body["title"] = "no"
            body["location"] = ["latitude": 120.0, "longitude": -87.0, "city": "Tulum", "country": "Mexico"] as [String: any Sendable]
            body["languages"] = ["spanish"]
            body.removeValue(forKey: "durationMinutes")
            let response = try await booking.send(.post, "/api/v1/experiences", body, as: provider)
            #expect(response.status == .badRequest)
            let fields = Set(response.problem?.errors?.map(\.field) ?? [])
            #expect(fields == ["title", "location.latitude", "location.country", "languages[0]", "timeZone", "durationMinutes"], "\(fields)")
            let count = try await booking.postgres.query("SELECT count(*) FROM experiences WHERE provider_id = \(provider.id)")
            for try await rows in count.decode(Int.self) { #expect(rows == 0) }
        }
    }
}
