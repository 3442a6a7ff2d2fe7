import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
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

/// What `ProviderDirectory` logs: Messaging away is a warning; a page given up while it asked is not.
@Suite struct ProviderDirectoryTests {
    /// Keeps the messages logged at warning and above.
    final class Warnings: LogHandler, @unchecked Sendable {
        private let lock = NSLock()
        private var kept: [String] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        var messages: [String] { lock.withLock { kept } }
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lock.withLock { kept.append(event.message.description) }
        }
    }

    @Test func aPageGivenUpWhileMessagingIsAskedLogsNoWarningButMessagingAwayDoes() async throws {
        let router = Router()
        router.get("internal/v1/response-stats/:id") { _, _ -> Response in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .noContent)
        }
        try await withStandIn(router) { port in
            let warnings = Warnings()
            let logger = Logger(label: "provider-directory") { _ in warnings }
            let credential = await ServiceCredential(service: .booking, secret: "a-service-secret-of-at-least-32-characters")
            let client = InternalClient(peers: [.messaging: [URL(string: "http://127.0.0.1:\(port)")!]], credential: credential, timeout: .seconds(1))
            let directory = ProviderDirectory(client: client, logger: logger)

            // Cancelled as `providerPage` cancels it when Auth knows no such provider.
            let asked = Task { await directory.responseStats(of: UUID()) }
            try await Task.sleep(for: .milliseconds(300))
            asked.cancel()
            #expect(await asked.value == nil)
            #expect(warnings.messages.isEmpty, "\(warnings.messages)")

            // Messaging not answering in time is still a warning.
            #expect(await directory.responseStats(of: UUID()) == nil)
            #expect(warnings.messages == ["Messaging did not answer"])
        }
    }
}
