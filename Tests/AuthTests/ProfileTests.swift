import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Auth

@Suite struct ProfileTests {
    @Test func aUserWritesTheirProfileAndAProvidersReachesBookingAndSearch() async throws {
        try await AuthHarness.run { auth in
            let luis = try await auth.register(name: "Luis Canul", role: .provider)
            let empty = try await auth.send(.get, "/api/v1/auth/me/profile", token: luis.accessToken).decode(ProviderProfile.self)
            #expect(empty.bio == LocalizedText())
            #expect(empty.name == "Luis Canul")
            #expect(try await auth.send(.get, "/api/v1/auth/me/profile").status == .unauthorized)
            // Registering told Search the provider's name.
            #expect(await auth.mailbox.latestProvider(luis.user.id) { $0.name == "Luis Canul" } != nil)

            let bad = try await auth.send(
                .patch, "/api/v1/auth/me/profile", ["languages": ["es", "Spanish"], "city": String(repeating: "x", count: 101)], token: luis.accessToken)
            #expect(bad.status == .badRequest)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["languages[1]", "city"])

            let body: [String: any Sendable] = [
                "bio": ["en": "Diver and guide.", "es": "  Buzo y guía.  "], "languages": ["es", "en", "es"], "city": "Valladolid",
            ]
            let changed = try await auth.send(.patch, "/api/v1/auth/me/profile", body, token: luis.accessToken)
            #expect(changed.status == .ok, "\(changed.text)")
            let profile = try changed.decode(ProviderProfile.self)
            #expect(profile.bio == LocalizedText(en: "Diver and guide.", es: "Buzo y guía."))
            #expect(profile.languages == ["es", "en"])
            #expect(try await auth.send(.get, "/api/v1/auth/me/profile", token: luis.accessToken).decode(ProviderProfile.self) == profile)
            let cityEvent = try #require(await auth.mailbox.latestProvider(luis.user.id) { $0.city == "Valladolid" })

            // A new name reaches Search with a newer version.
            #expect(try await auth.send(.patch, "/api/v1/auth/me", ["name": "Luis C."], token: luis.accessToken).status == .ok)
            let renamed = try #require(await auth.mailbox.latestProvider(luis.user.id) { $0.name == "Luis C." })
            #expect(renamed.version > cityEvent.version)
            #expect(renamed.provider?.city == "Valladolid")

            // Booking reads a provider's profile; not a traveler's, and nobody else may ask.
            let seen = try await auth.sendInternal(.get, ProviderProfile.path(luis.user.id), as: .booking)
            #expect(seen.status == .ok)
            #expect(try seen.decode(ProviderProfile.self).name == "Luis C.")
            #expect(try await auth.sendInternal(.get, ProviderProfile.path(luis.user.id), as: .search).status == .forbidden)
            let ana = try await auth.register(role: .traveler)
            #expect(try await auth.sendInternal(.get, ProviderProfile.path(ana.user.id), as: .booking).status == .notFound)
            #expect(await auth.mailbox.feed.allSatisfy { $0.provider?.id != ana.user.id })
        }
    }
}
