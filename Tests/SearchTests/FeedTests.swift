import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Search

@Suite struct FeedTests {
    @Test func availabilityFollowsBookingsEventsWhateverTheirOrder() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            let tacos = try #require(catalog[2].slot)
            #expect(try await search.titles("q=tacos%20").first == "Tacos al pastor night tour")

            // The slot sells out (version 3): the tour has nothing to book and is not found.
            var soldOut = tacos
            soldOut.remaining = 0
            #expect(try await search.feed(SearchFeedEvent(kind: .slotChanged, version: 3, occurredAt: Date(), slot: soldOut)).status == .noContent)
            #expect(try await search.titles("q=tacos%20") == ["Cooking class: Yucatecan cuisine"])
            // An older event arriving late (version 2) changes nothing; the same event again neither.
            var older = tacos
            older.remaining = 8
            let late = SearchFeedEvent(kind: .slotChanged, version: 2, occurredAt: Date(), slot: older)
            #expect(try await search.feed(late).status == .noContent)
            #expect(try await search.titles("q=tacos%20") == ["Cooking class: Yucatecan cuisine"])
            // A cancellation frees seats (version 4).
            var freed = tacos
            freed.remaining = 4
            let newer = SearchFeedEvent(kind: .slotChanged, version: 4, occurredAt: Date(), slot: freed)
            #expect(try await search.feed(newer).status == .noContent)
            #expect(try await search.titles("q=tacos%20&guests=4").first == "Tacos al pastor night tour")
            #expect(try await search.titles("q=tacos%20&guests=5") == ["Cooking class: Yucatecan cuisine"])

            // Renamed and then archived, by version; a repeated old rename does not bring it back.
            var renamed = catalog[0].experience
            renamed.title = "Cenote Zací swim"
            let rename = SearchFeedEvent(kind: .experienceChanged, version: 2, occurredAt: Date(), experience: renamed)
            #expect(try await search.feed(rename).status == .noContent)
            #expect(try await search.titles("q=zaci%20") == ["Cenote Zací swim"])
            var archived = renamed
            archived.status = "archived"
            #expect(try await search.feed(SearchFeedEvent(kind: .experienceChanged, version: 3, occurredAt: Date(), experience: archived)).status == .noContent)
            #expect(try await search.feed(rename).status == .noContent)
            #expect(try await search.titles("q=zaci%20").isEmpty)
            var stale = rename
            stale.id = UUID()
            #expect(try await search.feed(stale).status == .noContent)
            #expect(try await search.titles("q=zaci%20").isEmpty)

            // Confirmed bookings make an experience popular.
            for _ in 0..<3 {
                let booking = SearchFeedEvent.Booking(id: UUID(), experienceId: catalog[4].experience.id, travelerId: UUID(), guests: 2)
                #expect(try await search.feed(SearchFeedEvent(kind: .bookingConfirmed, version: 1, occurredAt: Date(), booking: booking)).status == .noContent)
            }
            #expect(try await search.titles("sort=popularity").first == "Cooking class: Yucatecan cuisine")
        }
    }

    /// Events arriving together (the outbox sends up to fifty at once) are applied in shared transactions: each once,
    /// each searchable when its sender hears back, and those PostgreSQL refuses fail alone.
    @Test func aBurstOfEventsIsAppliedTogetherAndBadOnesFailAlone() async throws {
        try await SearchHarness.run { search in
            let entries = (0..<30).map { n in
                Catalog.entry(
                    "Burst tour number \(n)", "One of many arriving together.", category: "culture", tags: ["burst"], at: Catalog.merida,
                    price: 50_000, minutes: 60, languages: ["es"], rating: 4.0)
            }
            let poisoned = (0..<3).map { _ in
                var experience = Catalog.make()[0].experience
                experience.id = UUID()
                // Beyond PostgreSQL's integer: refused by the statement, not by the route.
                experience.title = "Too many guests"
                experience.maxGuests = 3_000_000_000
                return [SearchFeedEvent(kind: .experienceChanged, version: 1, occurredAt: Date(), experience: experience)]
            }
            // An experience's events in order, as its sender would; a repeat and the refused ones amid the others.
            let pairs = entries.map { [$0.experienceEvent, $0.slotEvent!] }
            let senders = pairs[..<15] + poisoned + [[pairs[0][0]]] + pairs[15...]
            let refused = try await withThrowingTaskGroup(of: Int.self) { group in
                for events in senders {
                    group.addTask {
                        var refused = 0
                        for event in events {
                            let response = try await search.feed(event)
                            let status = response.status
                            guard event.experience?.title != "Too many guests" else {
                                // The sender keeps PostgreSQL's word as the event's last error.
                                #expect(status == .unprocessableContent)
                                #expect(response.problem?.detail?.contains("out of range for type integer") == true, "\(response.text)")
                                refused += 1
                                continue
                            }
                            #expect(status == .noContent)
                        }
                        // Searchable when its sender hears back.
                        if let title = events.first?.experience?.title, events.count == 2 {
                            let number = title.split(separator: " ").last!
                            #expect(try await search.titles("q=burst%20tour%20number%20\(number)").contains(title))
                        }
                        return refused
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(refused == 3)
            #expect(try await search.count("SELECT count(*)::int FROM feed_events") == 60)
            #expect(try await search.titles("q=burst&limit=50").count == 30)
            #expect(try await search.count("SELECT count(*)::int FROM documents WHERE last_open_at IS NOT NULL") == 30)
        }
    }

    @Test func aCoverPhotoFromTheFeedIsShownWithTheHit() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            var covered = catalog[2].experience
            let photo = UUID()
            covered.coverPhoto = PhotoLinks(experienceID: covered.id, id: photo)
            #expect(try await search.feed(SearchFeedEvent(kind: .experienceChanged, version: 2, occurredAt: Date(), experience: covered)).status == .noContent)
            let hits = try await search.search("q=tacos%20").items
            let hit = try #require(hits.first { $0.id == covered.id })
            #expect(hit.coverPhoto?.url == "/api/v1/experiences/\(covered.id.uuidString.lowercased())/photos/\(photo.uuidString.lowercased())/640.jpg")
            #expect(hit.coverPhoto?.webpSrcset.hasSuffix("/1280.webp 1280w") == true)
            #expect(hits.first { $0.id != covered.id }?.coverPhoto == nil)
        }
    }

    @Test func changesAreSearchableWhoeverMadeThem() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            #expect(try await search.titles("q=tacos%20").first == "Tacos al pastor night tour")
            // Changed behind the feed's back: the index follows PostgreSQL's documents whoever writes them, and the
            // cached answer goes with it, within a round of the follower (250 ms).
            try await search.postgres.query("UPDATE documents SET title = 'Changed quietly' WHERE title = 'Tacos al pastor night tour'")
            #expect(try await eventually(timeout: .seconds(30)) { try await search.titles("q=tacos%20").first == "Changed quietly" })
            // A change through the feed is searchable at once.
            var renamed = catalog[2].experience
            renamed.title = "Tacos de canasta at dawn"
            #expect(try await search.feed(SearchFeedEvent(kind: .experienceChanged, version: 2, occurredAt: Date(), experience: renamed)).status == .noContent)
            #expect(try await search.titles("q=tacos%20").first == "Tacos de canasta at dawn")
        }
    }

    @Test func aDocumentsWordsAreStemmedAgainOnlyWhenTheirTextsChange() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            let id = catalog[2].experience.id
            func words() async throws -> String {
                var found = ""
                for try await text in try await search.postgres.query("SELECT words::text FROM documents WHERE id = \(id)").decode(String.self) {
                    found = text
                }
                return found
            }
            #expect(try await words().contains("'tacos':"))
            // A booking or a slot's availability leaves the words as they were: no texts changed.
            try await search.postgres.query("UPDATE documents SET words = 'kept' WHERE id = \(id)")
            try await search.postgres.query("UPDATE documents SET bookings = bookings + 1, last_open_at = now() WHERE id = \(id)")
            #expect(try await words() == "'kept'")
            // A new title, or a provider's new name, is stemmed with the rest.
            try await search.postgres.query("UPDATE documents SET title = 'Kayak at sunrise', provider_name = 'Chucho' WHERE id = \(id)")
            let stemmed = try await words()
            #expect(stemmed.contains("'kayak':") && stemmed.contains("'chucho':") && !stemmed.contains("kept"))
            // Through the feed, where the upsert is an insert first: a new price keeps the words, a new title makes new ones.
            var experience = catalog[2].experience
            try await search.postgres.query("UPDATE documents SET title = \(experience.title), provider_name = '' WHERE id = \(id)")
            try await search.postgres.query("UPDATE documents SET words = 'kept' WHERE id = \(id)")
            experience.price = Money(amount: 65_000, currency: "MXN")
            let repriced = SearchFeedEvent(kind: .experienceChanged, version: 2, occurredAt: Date(), experience: experience)
            try #require(try await search.feed(repriced).status == .noContent)
            #expect(try await search.count("SELECT count(*)::int FROM documents WHERE id = \(id) AND price_amount = 65000") == 1)
            #expect(try await words() == "'kept'")
            experience.title = "Mezcal tasting"
            let retitled = SearchFeedEvent(kind: .experienceChanged, version: 3, occurredAt: Date(), experience: experience)
            try #require(try await search.feed(retitled).status == .noContent)
            let renamed = try await words()
            #expect(renamed.contains("'mezcal':") && renamed.contains("'tacos':") && !renamed.contains("kept"))
        }
    }

    @Test func aProvidersNameAndCityFindTheirExperiences() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            let providerID = catalog[0].experience.providerId
            let provider = SearchFeedEvent.Provider(id: providerID, name: "Chucho Balam", city: "Tixkokob")
            #expect(try await search.feed(SearchFeedEvent(kind: .providerChanged, version: 2, occurredAt: Date(), provider: provider)).status == .noContent)
            #expect(try await eventually(timeout: .seconds(30)) { try await search.titles("q=balam").first == catalog[0].experience.title })
            #expect(try await search.titles("q=tixkokob") == [catalog[0].experience.title])
            // An older name arriving late changes nothing.
            let older = SearchFeedEvent.Provider(id: providerID, name: "Old Name", city: nil)
            #expect(try await search.feed(SearchFeedEvent(kind: .providerChanged, version: 1, occurredAt: Date(), provider: older)).status == .noContent)
            // A new experience of theirs is found by their name from the start.
            var another = catalog[1].experience
            another.id = UUID()
            another.providerId = providerID
            another.title = "Henequen hacienda by bike"
            #expect(try await search.feed(SearchFeedEvent(kind: .experienceChanged, version: 1, occurredAt: Date(), experience: another)).status == .noContent)
            let slot = SearchFeedEvent.Slot(id: UUID(), experienceId: another.id, startsAt: Catalog.slotTime, capacity: 10, remaining: 10, status: "open")
            #expect(try await search.feed(SearchFeedEvent(kind: .slotChanged, version: 1, occurredAt: Date(), slot: slot)).status == .noContent)
            #expect(try await eventually(timeout: .seconds(30)) { try await Set(search.titles("q=chucho")) == [catalog[0].experience.title, another.title] })
        }
    }

    @Test func aFullReindexPagesThroughBookingsIndex() async throws {
        let catalog = Catalog.make()
        let pages = Counter()
        let booking = Router()
        booking.get(RouterPath(SearchFeedPage.path)) { request, _ -> Response in
            await pages.increment()
            // Two pages: the first three experiences, then the rest.
            let first = request.uri.queryParameters.get("after") == nil
            let entries = first ? Array(catalog.prefix(3)) : Array(catalog.dropFirst(3))
            let events = entries.flatMap { [$0.experienceEvent] + ($0.slotEvent.map { [$0] } ?? []) }
            let page = SearchFeedPage(events: events, nextCursor: first ? catalog[2].experience.id.uuidString : nil)
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(page))))
        }
        try await SearchHarness.run(booking: booking) { search in
            // The index was empty at start: it filled itself from Booking, two pages.
            #expect(try await eventually(timeout: .seconds(30)) { try await search.search("available=any").total == 6 })
            #expect(await pages.value == 2)
            let again = try await search.client.executeRequest(
                uri: "/internal/v1/reindex", method: .post, headers: [.authorization: "Bearer \(try await search.credential.token(for: .search))"], body: nil
            )
            #expect(again.status == .accepted)
            #expect(await eventually(timeout: .seconds(30)) { await pages.value == 4 })
            #expect(try await search.search("available=any").total == 6)
        }
    }
}

actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}

@Suite struct SearchAccountErasureTests {
    @Test func anErasedProvidersNameNoLongerFindsTheirExperiencesAndComesNotBack() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            let experience = catalog[0].experience
            let provider = SearchFeedEvent.Provider(id: experience.providerId, name: "Xochitl Quetzal", city: "Izamal")
            #expect(try await search.feed(SearchFeedEvent(kind: .providerChanged, version: 3, occurredAt: Date(), provider: provider)).status == .noContent)
            #expect(try await search.titles("q=xochitl") == [experience.title])
            let booked = SearchFeedEvent.Booking(id: UUID(), experienceId: experience.id, travelerId: UUID(), guests: 1)
            #expect(try await search.feed(SearchFeedEvent(kind: .bookingConfirmed, version: 1, occurredAt: Date(), booking: booked)).status == .noContent)

            let exported = try await search.client.executeRequest(
                uri: AccountExport.path(booked.travelerId), method: .get,
                headers: [.authorization: "Bearer \(try await search.authCredential.token(for: .search))"], body: ByteBuffer()
            ).decode(AccountExport.self)
            #expect(exported.records["bookings"].map { if case .array(let rows) = $0 { rows.count } else { 0 } } == 1)

            for userID in [experience.providerId, booked.travelerId] {
                let erased = try await search.client.executeRequest(
                    uri: AccountErasure.path, method: .post,
                    headers: [.authorization: "Bearer \(try await search.authCredential.token(for: .search))", .contentType: "application/json"],
                    body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(AccountErasure(userId: userID, role: .provider))))
                #expect(erased.status == .noContent)
            }
            #expect(try await search.titles("q=xochitl").isEmpty)
            #expect(try await search.titles("q=izamal").isEmpty)
            // An older rename arriving late does not bring the name back.
            #expect(try await search.feed(SearchFeedEvent(kind: .providerChanged, version: 4, occurredAt: Date(), provider: provider)).status == .noContent)
            #expect(try await search.titles("q=xochitl").isEmpty)
            #expect(try await search.count("SELECT count(*)::int FROM booked WHERE traveler_id = \(booked.travelerId)") == 0)
        }
    }

    /// An event's id is kept to recognise a repeat for as long as an inbox keeps one, then forgotten.
    @Test func eventIdsAreForgottenAfterAWeek() async throws {
        try await SearchHarness.run { search in
            let tacos = try #require(Catalog.make()[2].slot)
            let event = SearchFeedEvent(kind: .slotChanged, version: 2, occurredAt: Date(), slot: tacos)
            #expect(try await search.feed(event).status == .noContent)
            func retain(daysFromNow days: Double) async {
                let later = Date().addingTimeInterval(days * 86_400)
                await Retention([Documents.retention], postgres: search.postgres, clock: WallClock { later }, logger: Logger(label: "retention")).runOnce()
            }
            await retain(daysFromNow: 6)
            #expect(try await search.count("SELECT count(*)::int FROM feed_events WHERE id = \(event.id)") == 1)
            await retain(daysFromNow: 8)
            #expect(try await search.count("SELECT count(*)::int FROM feed_events") == 0)
        }
    }
}
