import Contracts
import Foundation
import TestSupport
import Testing

@testable import Search

@Suite struct RelevanceTests {
    @Test func typosAccentsStemsPhrasesAndWeights() async throws {
        try await SearchHarness.run { search in
            try await search.load(Catalog.make())
            // A word still being typed matches as a prefix; a finished one with a typo finds its word.
            #expect(try await search.titles("q=cenot").first == "Cenote swim near Valladolid")
            #expect(try await search.titles("q=snorkling%20").first == "Snorkeling with turtles in Akumal")
            #expect(try await search.titles("q=turtels%20akumal%20") == ["Snorkeling with turtles in Akumal"])
            // Short words get no typo allowance.
            #expect(try await search.titles("q=tco%20").isEmpty)
            // Plurals and Spanish stems: "cenotes", "pirámide" for "pirámides".
            #expect(try await search.titles("q=cenotes%20").first == "Cenote swim near Valladolid")
            #expect(try await search.titles("q=pir%C3%A1mide%20") == ["Ruinas mayas de Uxmal al amanecer"])
            // Accents ignored both ways; words in any order.
            #expect(Set(try await search.titles("q=merida%20")) == ["Tacos al pastor night tour", "Cooking class: Yucatecan cuisine"])
            #expect(try await search.titles("q=amanecer%20ruinas%20") == ["Ruinas mayas de Uxmal al amanecer"])
            #expect(try await search.titles("q=UXMAL%20Amanecer%20") == ["Ruinas mayas de Uxmal al amanecer"])
            // A title weighs more than a description.
            #expect(try await search.titles("q=tacos%20") == ["Tacos al pastor night tour", "Cooking class: Yucatecan cuisine"])
            // An exact phrase in quotes.
            #expect(try await search.titles("q=%22street%20food%22") == ["Tacos al pastor night tour"])
            #expect(try await search.titles("q=%22food%20street%22").isEmpty)
            // Drafts are never found.
            #expect(!(try await search.titles("q=secret%20")).contains("Secret cenote"))
        }
    }

    @Test func snippetsMarkTheMatchedWordsAndEscapeTheRest() async throws {
        try await SearchHarness.run { search in
            var catalog = Catalog.make()
            catalog[1].experience.description = "Float above sea turtles <grazing> in the bay & more."
            try await search.load(catalog)
            let hit = try #require(try await search.search("q=turtles%20").items.first)
            #expect(hit.snippet.contains("<mark>turtles</mark>"))
            #expect(hit.snippet.contains("&lt;grazing&gt;"))
            #expect(hit.snippet.contains("&amp;"))
            #expect(hit.score > 0)
        }
    }

    /// A word that shares only a stem with the query, which this instance has not met before: its stems are learnt
    /// from PostgreSQL while the page is cut, and it is marked.
    @Test func snippetsMarkWordsThatShareOnlyAStemWithTheQuery() async throws {
        try await SearchHarness.run { search in
            var catalog = Catalog.make()
            catalog[1].experience.description = "Float above a sea turtle grazing in the bay."
            try await search.load(catalog)
            let hit = try #require(try await search.search("q=turtles%20").items.first { $0.snippet.contains("grazing") })
            #expect(hit.snippet == "Float above a sea <mark>turtle</mark> grazing in the bay.")
        }
    }

    @Test func theSearchBoxCompletesTitlesTagsAndCitiesDespiteTypos() async throws {
        try await SearchHarness.run { search in
            try await search.load(Catalog.make())
            struct Suggestions: Decodable {
                struct Item: Decodable {
                    var text: String
                    var kind: String
                }
                var suggestions: [Item]
            }
            func suggest(_ text: String) async throws -> [String] {
                try await search.get("/api/v1/search/suggest?q=\(text)").decode(Suggestions.self).suggestions.map(\.text)
            }
            #expect(try await suggest("cen").first == "cenote")
            #expect(try await suggest("cen").contains("Cenote swim near Valladolid"))
            #expect(try await suggest("meri").first == "Mérida")
            #expect(try await suggest("valadolid").contains("Valladolid"))
            #expect(try await suggest("turt").contains("turtles"))
            #expect(try await suggest("").isEmpty)
            #expect(try await search.get("/api/v1/search/suggest?q=cen&limit=0").problem?.errors?.first?.field == "limit")
        }
    }
}
