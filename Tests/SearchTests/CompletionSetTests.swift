import Testing

@testable import Search

/// The search box's in-memory completions, measured against what pg_trgm answers for the same texts.
@Suite struct CompletionSetTests {
    func similarity(_ a: String, _ b: String) -> Double {
        let x = Trigrams.of(a)
        let y = Trigrams.of(b)
        return Trigrams.similarity(shared: x.intersection(y).count, x.count, y.count)
    }

    @Test func trigramsAreThoseOfPgTrgm() {
        // SELECT similarity(…), array_length(show_trgm('cenote swim'), 1) in PostgreSQL.
        #expect(Trigrams.of("cenote swim").count == 12)
        #expect(abs(similarity("cenote", "cen") - 0.375) < 0.0001)
        #expect(abs(similarity("valladolid", "valadolid") - 0.75) < 0.0001)
        #expect(abs(similarity("snorkeling with turtles", "snorkling") - 0.30769232) < 0.0001)
        #expect(abs(similarity("merida 2", "merida") - 0.7777778) < 0.0001)
    }

    @Test func prefixesComeBeforeWordStartsBeforeTyposAndHeavierFirst() {
        let set = CompletionSet([
            (folded: "tour de cenotes", text: "Tour de cenotes", kind: "title", weight: 1),
            (folded: "cenote", text: "cenote", kind: "tag", weight: 40),
            (folded: "cenote swim near valladolid", text: "Cenote swim near Valladolid", kind: "title", weight: 1),
            (folded: "valladolid", text: "Valladolid", kind: "city", weight: 12),
            (folded: "merida", text: "Mérida", kind: "city", weight: 30),
        ])
        #expect(set.suggest("cen", limit: 8).map(\.text) == ["cenote", "Cenote swim near Valladolid", "Tour de cenotes"])
        #expect(set.suggest("cen", limit: 1).map(\.text) == ["cenote"])
        #expect(set.suggest("valadolid", limit: 8).first?.text == "Valladolid")
        #expect(set.suggest("meri", limit: 8).map(\.text) == ["Mérida"])
        #expect(set.suggest("xyz", limit: 8).isEmpty)
    }
}
