import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Search

@Suite struct RecommendationTests {
    @Test func coBookingSimilarityIsTheCosineOfTheTravelerVectors() {
        let (a, b, c) = (UUID(), UUID(), UUID())
        let (t1, t2, t3, t4) = (UUID(), UUID(), UUID(), UUID())
        // A was booked by three travelers, B by two of them, C by one of them and someone else.
        let similar = CoBookings.similarity([(t1, a), (t1, b), (t2, a), (t2, b), (t3, a), (t3, c), (t4, c), (t1, a)])
        #expect(similar[a]?.map(\.0) == [b, c])
        #expect(abs((similar[a]?[0].1 ?? 0) - 2 / 6.0.squareRoot()) < 1e-9)
        #expect(abs((similar[a]?[1].1 ?? 0) - 1 / 6.0.squareRoot()) < 1e-9)
        #expect(similar[b]?.map(\.0) == [a])
        #expect(similar[c]?.map(\.0) == [a])
        #expect(similar[b]?.contains { $0.0 == c } == false)
    }

    @Test func contentSimilarityIsTheCosineOfTFIDFVectors() {
        let (swim, dive, tacos, ruins) = (UUID(), UUID(), UUID(), UUID())
        let model = ContentSimilarity([
            .init(id: swim, text: "Swim in a cenote under the jungle.", emphasis: "Cenote swim"),
            .init(id: dive, text: "Dive the caves of a cenote with a guide.", emphasis: "Cenote diving"),
            .init(id: tacos, text: "Street food at night with a guide.", emphasis: "Tacos tour"),
            .init(id: ruins, text: "Pyramids at dawn.", emphasis: "Uxmal ruins"),
        ])
        let nearest = model.nearest(to: swim, limit: 5)
        #expect(nearest.first?.0 == dive)
        #expect(!nearest.contains { $0.0 == ruins })
        #expect(nearest.allSatisfy { $0.1 > 0 && $0.1 <= 1.000001 })
        // Sharing only "guide" is less alike than sharing "cenote", weighted twice in the title.
        let fromDive = model.nearest(to: dive, limit: 5)
        #expect(fromDive.map(\.0) == [swim, tacos])
    }

    /// Documents as alike as each other come in the order of their ids, up to the limit, whether asked one by one or
    /// all at once (which reuses its scores from one document to the next).
    @Test func tiesInCosineGoByIdAndTheLimitHolds() throws {
        let reef = UUID()
        let twins = (0..<4).map { _ in UUID() }
        let others: [ContentSimilarity.Document] = [
            .init(id: UUID(), text: "Pyramids and ruins.", emphasis: "Uxmal ruins"), .init(id: UUID(), text: "Mole in Oaxaca.", emphasis: "Cooking class"),
        ]
        let model = ContentSimilarity(
            ([reef] + twins).map { .init(id: $0, text: "Snorkel the reef at dawn.", emphasis: "Reef snorkel") } + others)
        let nearest = model.nearest(to: reef, limit: 3)
        #expect(nearest.map(\.0) == Array(twins.sorted { $0.uuidString < $1.uuidString }.prefix(3)))
        #expect(nearest.allSatisfy { abs($0.1 - 1) < 1e-9 })
        let all = try model.allNearest(limit: 3) { false }
        #expect(all.count == 5)
        for id in [reef] + twins { #expect(all[id]?.map(\.0) == model.nearest(to: id, limit: 3).map(\.0)) }
    }

    /// The work runs on a pool's thread, which shutting down stops through the flag, between two documents.
    @Test func aRaisedStopFlagEndsTheRecomputation() throws {
        let corpus: [ContentSimilarity.Document] = [
            .init(id: UUID(), text: "Swim in a cenote.", emphasis: "Cenote swim"), .init(id: UUID(), text: "Dive a cenote.", emphasis: "Cenote dive"),
            .init(id: UUID(), text: "Pyramids at dawn.", emphasis: "Uxmal ruins"),
        ]
        let stop = StopFlag()
        #expect(try Recommender.neighbours(corpus, [], unless: stop)["content"]?.count == 2)
        stop.raise()
        #expect(throws: CancellationError.self) { try Recommender.neighbours(corpus, [], unless: stop) }
    }

    @Test func travelersGetWhatIsLikeWhatTheyBookedAndNewcomersWhatIsPopularNearThem() async throws {
        try await SearchHarness.run { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            let (cenote, snorkel, tacos, ruins, cooking) = (
                catalog[0].experience.id, catalog[1].experience.id, catalog[2].experience.id, catalog[3].experience.id, catalog[4].experience.id
            )
            // Travelers who took the taco tour also took the cooking class; one of them also the cenote.
            let others = [UUID(), UUID(), UUID()]
            for (traveler, experience) in [
                (others[0], tacos), (others[0], cooking), (others[1], tacos), (others[1], cooking), (others[2], tacos), (others[2], cenote),
            ] {
                let booking = SearchFeedEvent.Booking(id: UUID(), experienceId: experience, travelerId: traveler, guests: 1)
                try #require(
                    try await search.feed(SearchFeedEvent(kind: .bookingConfirmed, version: 1, occurredAt: Date(), booking: booking)).status == .noContent)
            }
            struct List: Decodable { var items: [Recommendation] }
            // Recomputed every 200 ms here: wait for a round after the bookings.
            let similar = try await eventually {
                let items = try await search.get("/api/v1/recommendations/similar/\(tacos)").decode(List.self).items
                return items.first?.id == cooking && items.first?.source == "co-booking+content"
                    && items.contains { $0.id == cenote && $0.source == "co-booking" }
            }
            #expect(similar)
            let alike = try await search.get("/api/v1/recommendations/similar/\(tacos)").decode(List.self).items
            #expect(alike.first?.source == "co-booking+content")
            #expect(alike.contains { $0.id == cenote && $0.source.contains("co-booking") })
            #expect(!alike.contains { $0.id == tacos })

            // A traveler who booked the taco tour is offered the cooking class first, never the tour again.
            let traveler = try await SearchHarness.tokens.user(.traveler)
            let booking = SearchFeedEvent.Booking(id: UUID(), experienceId: tacos, travelerId: traveler.id, guests: 2)
            try #require(try await search.feed(SearchFeedEvent(kind: .bookingConfirmed, version: 1, occurredAt: Date(), booking: booking)).status == .noContent)
            let mine = try await search.get("/api/v1/recommendations", as: traveler).decode(List.self).items
            #expect(mine.first?.id == cooking)
            #expect(!mine.contains { $0.id == tacos })

            // Someone with no history in Akumal gets what is popular near them; elsewhere, what is popular anywhere.
            let newcomer = try await SearchHarness.tokens.user(.traveler)
            let near = try await search.get("/api/v1/recommendations?lat=20.40&lng=-87.32", as: newcomer).decode(List.self).items
            #expect(near.map(\.id) == [snorkel])
            #expect(near.first?.source == "popular")
            let anywhere = try await search.get("/api/v1/recommendations", as: newcomer).decode(List.self).items
            #expect(anywhere.first?.id == tacos)
            #expect(Set(anywhere.map(\.id)).isSuperset(of: [ruins]))

            #expect(try await search.get("/api/v1/recommendations").status == .unauthorized)
            #expect(try await search.get("/api/v1/recommendations?lat=20", as: newcomer).problem?.errors?.first?.field == "lng")
            #expect(try await search.get("/api/v1/recommendations/similar/\(UUID())").status == .notFound)
        }
    }
}
