import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Search

@Suite struct FilterTests {
    @Test func everyFilterAndFacet() async throws {
        try await SearchHarness.run { search in
            try await search.load(Catalog.make())
            let all = try await search.search("")
            // Published with a slot to book: not the draft, not the one without slots.
            #expect(all.total == 5)
            #expect(all.facets.category == ["nature": 1, "water": 1, "food": 2, "culture": 1])
            #expect(all.facets.language == ["es": 3, "en": 4])
            #expect(all.facets.duration.map(\.count) == [0, 0, 2, 3, 0])
            #expect(all.facets.priceRange.reduce(0) { $0 + $1.count } == 5)
            #expect(all.facets.priceRange.first?.from == 60_000)
            #expect(all.facets.priceRange.last?.to == 150_000)
            #expect(try await search.search("available=any").total == 6)

            #expect(Set(try await search.titles("category=food")) == ["Tacos al pastor night tour", "Cooking class: Yucatecan cuisine"])
            #expect(try await search.search("category=food&category=water").total == 3)
            #expect(
                try await search.titles("minPrice=90000&maxPrice=130000&currency=MXN&sort=price") == [
                    "Cooking class: Yucatecan cuisine", "Snorkeling with turtles in Akumal",
                ])
            #expect(try await search.titles("maxDuration=160") == ["Tacos al pastor night tour"])
            #expect(try await search.search("minDuration=240&maxDuration=300").total == 3)
            #expect(
                try await search.titles("language=es&sort=rating") == [
                    "Tacos al pastor night tour", "Cenote swim near Valladolid", "Ruinas mayas de Uxmal al amanecer",
                ])
            #expect(try await search.search("minRating=4.7").total == 3)
            #expect(try await search.titles("sort=-price").first == "Ruinas mayas de Uxmal al amanecer")
            // Three guests: Akumal has two seats left.
            #expect(!(try await search.titles("guests=3")).contains("Snorkeling with turtles in Akumal"))
            #expect(try await search.search("date=\(Catalog.slotDay)").total == 5)
            #expect(try await search.search("date=2020-01-01").total == 0)
            let next = try #require(try await search.search("q=tacos%20").items.first?.nextAvailable)
            #expect(abs(next.timeIntervalSince(Catalog.slotTime)) < 1)
        }
    }

    @Test func placesWithinARadiusAndSortedByDistance() async throws {
        try await SearchHarness.run { search in
            try await search.load(Catalog.make())
            // Within 20 km of Mérida's centre: the two experiences there.
            let near = try await search.search("lat=20.9674&lng=-89.5926&radiusKm=20")
            #expect(Set(near.items.map(\.title)) == ["Tacos al pastor night tour", "Cooking class: Yucatecan cuisine"])
            #expect(near.items.allSatisfy { ($0.distanceKm ?? 99) < 1 })
            // From Valladolid, nearest first: Valladolid, then Akumal (~ 100 km), Mérida (~ 150 km), Uxmal.
            let sorted = try await search.search("lat=20.6896&lng=-88.2022&sort=distance")
            #expect(sorted.items.map(\.city) == ["Valladolid", "Akumal", "Mérida", "Mérida", "Uxmal"])
            let akumal = try #require(sorted.items[1].distanceKm)
            #expect(akumal > 95 && akumal < 110)
        }
    }

    @Test func badParametersNameTheParameter() async throws {
        try await SearchHarness.run { search in
            // 400 for a parameter that breaks the document; 422 for parameters that break a rule together.
            let malformed = [
                ("sort=cheapest", "sort"), ("lat=200&lng=0", "lat"), ("date=tomorrow", "date"), ("limit=500", "limit"),
                ("guests=0", "guests"), ("available=some", "available"), ("currency=pesos", "currency"),
            ]
            let refused = [
                ("radiusKm=5", "radiusKm"), ("lat=20", "lng"), ("minPrice=5&maxPrice=1&currency=MXN", "minPrice"), ("minPrice=5", "currency"),
                ("sort=distance", "sort"), ("minDuration=90&maxDuration=30", "minDuration"), ("from=2026-12-10&to=2026-12-01", "from"),
                ("cursor=abc", "cursor"), ("date=2026-12-10&from=2026-12-01", "date"),
            ]
            for (query, field, status) in malformed.map({ ($0, $1, HTTPResponse.Status.badRequest) }) + refused.map({ ($0, $1, .unprocessableContent) }) {
                let response = try await search.get("/api/v1/search?\(query)")
                #expect(response.status == status, "\(query)")
                #expect(response.problem?.errors?.map(\.field).contains(field) == true, "\(query): \(response.text)")
            }
        }
    }

    @Test func pagesFollowTheCursorWithoutRepeats() async throws {
        try await SearchHarness.run { search in
            try await search.load(Catalog.make())
            var seen: [String] = []
            var query = "limit=2&sort=price"
            for _ in 0..<5 {
                let page = try await search.search(query)
                seen += page.items.map(\.title)
                guard let cursor = page.nextCursor else { break }
                query = "limit=2&sort=price&cursor=\(cursor)"
            }
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
        }
    }
}
