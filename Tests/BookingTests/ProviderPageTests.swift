import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

@Suite struct ProviderPageTests {
    @Test func aProvidersPageJoinsAuthsProfileMessagingsStatsAndTheirPublishedExperiences() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let published = try await booking.publishedExperience(of: provider)
            let draft = try await booking.send(.post, "/api/v1/experiences", BookingHarness.experienceBody(), as: provider)
            #expect(draft.status == .created)
            let profile = ProviderProfile(
                id: provider.id, name: "Luis Canul", bio: LocalizedText(en: "Diver and guide.", es: "Buzo y guía."), languages: ["es", "en"],
                city: "Valladolid", avatarUrl: nil, memberSince: Date(timeIntervalSince1970: 1_767_225_600))
            try await booking.peers.answer(profile, id: provider.id)
            try await booking.peers.answer(ResponseStats(userId: provider.id, conversations: 4, responseRate: 0.75, responseTimeMinutes: 42), id: provider.id)
            try await booking.postgres.query("UPDATE experiences SET rating_sum = 9, rating_count = 2 WHERE id = \(published.id)")

            // Anyone may read it, signed in or not.
            let page = try await booking.send(.get, "/api/v1/providers/\(provider.id)")
            #expect(page.status == .ok, "\(page.text)")
            let shown = try page.decode(ProviderPage.self)
            #expect(shown.name == "Luis Canul")
            #expect(shown.bio == profile.bio)
            #expect(shown.city == "Valladolid")
            #expect(shown.memberSince == profile.memberSince)
            #expect(shown.rating == Experience.Rating(average: 4.5, count: 2))
            #expect(shown.responseRate == 0.75)
            #expect(shown.responseTimeMinutes == 42)
            #expect(shown.experiences.map(\.id) == [published.id])

            // Auth knows no such provider: 404; Auth away: 503.
            #expect(try await booking.send(.get, "/api/v1/providers/\(UUID())").status == .notFound)
            #expect(try await booking.send(.get, "/api/v1/providers/luis").status == .badRequest)
            await booking.peers.setDown(true)
            #expect(try await booking.send(.get, "/api/v1/providers/\(provider.id)").status == .serviceUnavailable)
            await booking.peers.setDown(false)
        }
    }
}
