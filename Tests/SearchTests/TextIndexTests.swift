import Contracts
import Foundation
import HummingbirdCore
import Testing

@testable import Search

/// The index in memory without PostgreSQL: `tsvector`s as PostgreSQL writes them, queries as `Words` makes them.
@Suite struct TextIndexTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func document(_ title: String, writtenBy: UInt64 = 1, price: Int64 = 50_000, minutes: Int = 120) -> IndexedDocument {
        IndexedDocument(
            id: UUID(), writtenBy: writtenBy, isPublished: true, title: title, description: "", category: "food", city: "Mérida", country: "MX",
            price: Money(amount: price, currency: "MXN"), durationMinutes: minutes, languages: ["es"], maxGuests: 8,
            rating: .init(average: 4.5, count: 3), bookings: 0, latitude: 20.97, longitude: -89.59,
            slots: [.init(startsAt: now.addingTimeInterval(86_400), remaining: 4)]
        )
    }

    static func words(_ query: String, prefix: Bool = false) -> TextQuery {
        var text = QueryText(query)
        text.lastIsPrefix = prefix
        return TextQuery(text, corrections: text.words.map { _ in [] }, stems: [:])
    }

    @Test func parsesWhatPostgreSQLWrites() {
        #expect(
            TSVector.parse("'cenot':1A,5C 'it''s':2 'swim':3B,4") == [
                .init(lexeme: "cenot", positions: [1, 5], weight: 3), .init(lexeme: "it's", positions: [2], weight: 0),
                .init(lexeme: "swim", positions: [3, 4], weight: 2),
            ])
        #expect(TSVector.parse("'a\\\\b' 'x'") == [.init(lexeme: "a\\b", positions: [], weight: 0), .init(lexeme: "x", positions: [], weight: 0)])
        #expect(TSVector.parse("").isEmpty)
    }

    @Test func everyGroupMustMatchAndTheStrongestPlaceCounts() {
        var index = TextIndex()
        let tacos = Self.document("Tacos tour")
        let cooking = Self.document("Cooking class")
        index.upsert(tacos, words: TSVector.parse("'tacos':1A 'tour':2A"))
        index.upsert(cooking, words: TSVector.parse("'cooking':1A 'class':2A 'tacos':9C"))
        let found = index.matches(Self.words("tacos"))
        #expect(Set(found.map(\.document)) == [0, 1])
        #expect(found.first { $0.document == 0 }?.score == 1)
        #expect(found.first { $0.document == 1 }?.score == 0.2)
        #expect(index.matches(Self.words("tacos class")).map(\.document) == [1])
        #expect(index.matches(Self.words("tacos nothing")).isEmpty)
        // The last word while typed is a prefix; a correction counts half.
        #expect(index.matches(Self.words("tacos cook", prefix: true)).map(\.document) == [1])
        let corrected = TextQuery(QueryText("tocos "), corrections: [["tacos"]], stems: [:])
        #expect(index.matches(corrected).first { $0.document == 0 }?.score == 0.5)
    }

    @Test func asciiTextIsTakenApartAsFoundationFoldsIt() {
        let texts = [
            "Cenote swim in Merida", "Tacos al pastor: 5 stands, 2 hours!", "  street-food_night\t(ALL ages) #42 ", "a", "", "...",
            "x1y2 Z9 under_score", String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
        ]
        for text in texts { #expect(QueryText.tokens(text) == QueryText.foldedTokens(text), "\(text)") }
        #expect(QueryText.tokens("Cenotés y Mérida, ÑANDÚ") == ["cenotes", "y", "merida", "nandu"])
    }

    @Test func phrasesNeedTheirWordsInOrder() {
        var index = TextIndex()
        index.upsert(Self.document("Street food"), words: TSVector.parse("'street':1A 'food':2A"))
        index.upsert(Self.document("Food street"), words: TSVector.parse("'food':1A 'street':2A"))
        #expect(index.matches(Self.words("\"street food\"")).map(\.document) == [0])
        #expect(index.matches(Self.words("\"food street\"")).map(\.document) == [1])
        #expect(index.matches(Self.words("street food")).count == 2)
    }

    /// Against the definition, over random documents: a phrase matches where its words stand one after the other.
    @Test func phrasesMatchWhereTheirWordsStandInOrderAndNowhereElse() {
        var random = SystemRandomNumberGenerator()
        let vocabulary = ["ah", "be", "ce", "de", "ef"]
        var index = TextIndex()
        var texts: [[String]] = []
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 1...12, using: &random)).map { _ in vocabulary.randomElement(using: &random)! }
            texts.append(text)
            let positions = Dictionary(grouping: text.indices, by: { text[$0] })
            let vector = positions.keys.sorted().map { word in "'\(word)':" + positions[word]!.map { "\($0 + 1)" }.joined(separator: ",") }
            index.upsert(Self.document(text.joined(separator: " ")), words: TSVector.parse(vector.joined(separator: " ")))
        }
        for _ in 0..<200 {
            let phrase = (0..<Int.random(in: 2...3, using: &random)).map { _ in vocabulary.randomElement(using: &random)! }
            let expected = texts.indices.filter { number in
                let text = texts[number]
                return text.count >= phrase.count && (0...(text.count - phrase.count)).contains { Array(text[$0..<($0 + phrase.count)]) == phrase }
            }
            let found = index.matches(Self.words("\"" + phrase.joined(separator: " ") + "\"")).map(\.document)
            #expect(found.sorted() == expected, "\(phrase)")
        }
    }

    @Test func aSearchFromAPlaceFindsWhatASearchFromTheStartFinds() {
        let values = [1, 3, 3, 4, 8, 9, 9, 9, 12, 20, 21, 40]
        for value in 0...41 {
            let expected = values.firstIndex(atLeast: value)
            for start in 0...expected {
                #expect(values.firstIndex(atLeast: value, from: start) == expected, "\(value) from \(start)")
            }
        }
        #expect([Int]().firstIndex(atLeast: 5, from: 0) == 0)
    }

    @Test func whereALexemeStandsIsKeptForUpToFourPlaces() {
        let four = Stands([2, 7, 300, 16_383])
        #expect((0..<4).map(four.position) == [2, 7, 300, 16_383] && !four.isUnknown && !four.hasMore)
        #expect(four.contains(300) && !four.contains(3) && !four.contains(0))
        #expect(Stands([5]).position(1) == 0)
        let five = Stands([1, 2, 3, 16_382, 16_383])
        #expect((0..<4).map(five.position) == [1, 2, 3, 16_382] && five.hasMore && !five.isUnknown)
        #expect(Stands([]).isUnknown && !Stands([]).hasMore)
    }

    /// A lexeme standing in more places than ``Stands`` keeps (title, tags and description, each in three
    /// dictionaries) is found in a phrase at its first places or its last.
    @Test func phrasesAreFoundBeyondTheFirstFourPlaces() {
        var index = TextIndex()
        index.upsert(Self.document("Street food"), words: TSVector.parse("'street':1,3,5,7,9A 'food':2A"))
        index.upsert(Self.document("Food street"), words: TSVector.parse("'street':1,3,5,7,9A 'food':10A"))
        index.upsert(Self.document("Food, then street"), words: TSVector.parse("'street':3,5,7,9,11A 'food':1A"))
        #expect(index.matches(Self.words("\"street food\"")).map(\.document) == [0, 1])
    }

    @Test func aNewStateReplacesTheOldOnceAndTheSameStateChangesNothing() {
        var index = TextIndex()
        var tour = Self.document("Tacos tour")
        let first = index.upsert(tour, words: TSVector.parse("'tacos':1A"))
        let again = index.upsert(tour, words: TSVector.parse("'tacos':1A"))
        tour.writtenBy = 2
        tour.title = "Mezcal tour"
        let renamed = index.upsert(tour, words: TSVector.parse("'mezcal':1A"))
        #expect(first && !again && renamed)
        #expect(index.matches(Self.words("tacos")).isEmpty)
        #expect(index.matches(Self.words("mezcal")).map(\.document) == [0])
        #expect(index.documents.count == 1)
    }

    @Test func filtersFacetsAndPages() throws {
        var index = TextIndex()
        for (number, price) in [40_000, 60_000, 90_000, 140_000].enumerated() {
            index.upsert(Self.document("Tour \(number)", price: Int64(price), minutes: 60 * (number + 1)), words: [])
        }
        var sold = Self.document("Sold out")
        sold.slots = []
        index.upsert(sold, words: [])
        let request = try SearchRequest(["sort": "price", "limit": "2"])
        let found = index.search(request, text: TextQuery(), now: Self.now)
        #expect(found.total == 4)
        #expect(found.page.map { index.documents[$0.document].title } == ["Tour 0", "Tour 1"])
        #expect(found.facets.duration.map(\.count) == [0, 1, 2, 1, 0])
        #expect(found.facets.priceRange.map(\.count) == [2, 0, 1, 0, 1])
        #expect(found.facets.priceRange.first?.from == 40_000 && found.facets.priceRange.last?.to == 140_000)
        let next = index.search(try SearchRequest(["sort": "price", "limit": "2", "cursor": Substring(request.nextCursor)]), text: TextQuery(), now: Self.now)
        #expect(next.page.map { index.documents[$0.document].title } == ["Tour 2", "Tour 3"])
        #expect(index.search(try SearchRequest(["maxPrice": "60000", "currency": "MXN"]), text: TextQuery(), now: Self.now).total == 2)
        #expect(index.search(try SearchRequest(["guests": "5"]), text: TextQuery(), now: Self.now).total == 0)
        #expect(index.search(try SearchRequest(["available": "any"]), text: TextQuery(), now: Self.now).total == 5)
    }

    @Test func aPageKeptAsTheHitsAreFoundIsTheStartOfThemAllSorted() throws {
        var index = TextIndex()
        var generator = SystemRandomNumberGenerator()
        // Few values of each, so that most comparisons go down to the next key.
        for number in 0..<400 {
            var document = Self.document("Tour \(number)", price: [40_000, 60_000, 90_000].randomElement(using: &generator)!)
            document.rating = .init(average: [4.0, 4.5, 5.0].randomElement(using: &generator)!, count: 3)
            document.bookings = Int.random(in: 0...2, using: &generator)
            index.upsert(document, words: [])
        }
        let hits = index.documents.indices.map { number in
            TextIndex.Hit(document: number, score: [0.1, 0.4, 1].randomElement(using: &generator)!, distanceKm: [nil, 3, 7].randomElement(using: &generator)!)
        }
        for sort in SearchRequest.Sort.allCases {
            let all = index.top(TextIndex.Leaders.most + 1, of: hits, by: sort).map(\.document)
            #expect(index.top(20, of: hits, by: sort).map(\.document) == Array(all.prefix(20)), "\(sort)")
        }
        // A search keeps its first page and sorts all for a deep one, and counts every hit either way.
        let sorted = index.top(400, of: index.documents.indices.map { TextIndex.Hit(document: $0, score: 0) }, by: .price).map(\.document)
        for offset in [0, 300] {
            let cursor = Substring(Data("o:\(offset)".utf8).base64EncodedString())
            let found = index.search(try SearchRequest(["sort": "price", "limit": "20", "cursor": cursor]), text: TextQuery(), now: Self.now)
            #expect(found.page.map(\.document) == Array(sorted[offset..<offset + 20]) && found.total == 400, "\(offset)")
        }
    }

    /// Against the definition, over more matches than a search reads ahead: a text's total, facets and first page are
    /// those of every document it matches, sorted, however their scores, ratings and bookings tie, unpublished and
    /// fully booked ones left out.
    @Test func aTextsTotalFacetsAndPageAreThoseOfEveryMatch() throws {
        var index = TextIndex()
        var generator = SystemRandomNumberGenerator()
        for number in 0..<600 {
            var document = Self.document("Tour \(number)", price: [40_000, 60_000, 90_000].randomElement(using: &generator)!)
            document.rating = .init(average: [4.0, 4.5].randomElement(using: &generator)!, count: 3)
            document.bookings = Int.random(in: 0...1, using: &generator)
            document.category = ["food", "nature", "water"].randomElement(using: &generator)!
            document.isPublished = number % 7 != 0
            if number % 11 == 0 { document.slots = [] }
            let words = ["'tacos':1A", "'tacos':1C", "'class':1A", "'tacos':2B 'class':1A"].randomElement(using: &generator)!
            index.upsert(document, words: TSVector.parse(words))
        }
        let expected = index.matches(Self.words("tacos")).filter { index.documents[$0.document].isPublished && !index.documents[$0.document].slots.isEmpty }
        let sorted = index.top(TextIndex.Leaders.most + 1, of: expected.map { TextIndex.Hit(document: $0.document, score: $0.score) }, by: .relevance)
        let found = index.search(try SearchRequest(["q": "tacos", "limit": "20"]), text: Self.words("tacos"), now: Self.now)
        #expect(expected.count > 2 * TextIndex.readAhead && found.total == expected.count)
        #expect(found.page.map(\.document) == sorted.prefix(20).map(\.document))
        #expect(found.facets.category == Dictionary(grouping: expected) { index.documents[$0.document].category }.mapValues(\.count))
    }

    @Test func namesAreFilteredAndCountedByNumberWhateverTheirCount() throws {
        var index = TextIndex()
        // 70 languages: the first 64 are bits of a document's facts, the rest are read from the document.
        let languages = (0..<70).map { "l\($0)" }
        for (number, language) in languages.enumerated() {
            var document = Self.document("Tour \(number)")
            document.languages = [language, "es"]
            document.category = number.isMultiple(of: 2) ? "food" : "water"
            index.upsert(document, words: [])
        }
        let all = index.search(try SearchRequest([:]), text: TextQuery(), now: Self.now)
        #expect(all.facets.language["es"] == 70 && all.facets.language["l3"] == 1 && all.facets.language["l68"] == 1)
        #expect(all.facets.category == ["food": 35, "water": 35])
        for language in ["l3", "l68"] {
            let found = index.search(try SearchRequest(["language": Substring(language)]), text: TextQuery(), now: Self.now)
            #expect(found.page.map { index.documents[$0.document].languages.first } == [language])
        }
        #expect(index.search(try SearchRequest(["language": "fr"]), text: TextQuery(), now: Self.now).total == 0)
        #expect(index.search(try SearchRequest(["category": "water", "category": "caves"]), text: TextQuery(), now: Self.now).total == 35)
        #expect(index.search(try SearchRequest(["category": "caves"]), text: TextQuery(), now: Self.now).total == 0)
        #expect(index.search(try SearchRequest(["currency": "USD"]), text: TextQuery(), now: Self.now).total == 0)
        // Seats and dates are read from the slots: the one slot has 4 seats, a day after now.
        #expect(index.search(try SearchRequest(["guests": "4"]), text: TextQuery(), now: Self.now).total == 70)
        let tomorrow = ISO8601DateFormatter().string(from: Self.now.addingTimeInterval(86_400 * 2))
        #expect(index.search(try SearchRequest(["from": Substring(tomorrow)]), text: TextQuery(), now: Self.now).total == 0)
    }

    @Test func priceRangesPlaceEachPriceWhereItsShareOfTheSpanSays() throws {
        var index = TextIndex()
        var generator = SystemRandomNumberGenerator()
        // Every price from 1 000 to 1 021 (a span of 22, which five does not divide) in the most common currency, and
        // others in another.
        var prices: [Int64] = []
        for number in 0..<300 {
            let price = number < 66 ? Int64(1_000 + number / 3) : Int64.random(in: 1_000...1_021, using: &generator)
            var document = Self.document("Tour \(number)", price: price)
            if number.isMultiple(of: 3) { document.price = Money(amount: price * 7, currency: "USD") } else { prices.append(price) }
            index.upsert(document, words: [])
        }
        let (low, high) = (prices.min()!, prices.max()!)
        var expected = [Int](repeating: 0, count: 5)
        for price in prices { expected[min(Int(5 * (price - low) / (high + 1 - low)), 4)] += 1 }
        let ranges = index.search(try SearchRequest([:]), text: TextQuery(), now: Self.now).facets.priceRange
        #expect(ranges.map(\.count) == expected && ranges.allSatisfy { $0.currency == "MXN" })
        #expect(ranges.first?.from == low && ranges.last?.to == high)
        let dollars = index.search(try SearchRequest(["currency": "USD"]), text: TextQuery(), now: Self.now).facets.priceRange
        #expect(dollars.map(\.count).reduce(0, +) == 100 && dollars.allSatisfy { $0.currency == "USD" })
        #expect(index.search(try SearchRequest(["currency": "EUR"]), text: TextQuery(), now: Self.now).facets.priceRange.isEmpty)
    }

    @Test func aQueryLeavesNothingBehindForTheNext() {
        var index = TextIndex()
        for number in 0..<50 {
            let words = number.isMultiple(of: 2) ? "'tacos':1A 'tour':2B" : "'tacos':1C 'class':2A"
            index.upsert(Self.document("Tour \(number)"), words: TSVector.parse(words))
        }
        let tacos = index.matches(Self.words("tacos"))
        // Between the same query twice, queries whose groups matched some documents and not others.
        for text in ["tacos class", "tacos tour", "class tacos tour", "tour nothing"] { _ = index.matches(Self.words(text)) }
        #expect(index.matches(Self.words("tacos")).map(\.document) == tacos.map(\.document))
        #expect(index.matches(Self.words("tacos")).map(\.score) == tacos.map(\.score))
        #expect(index.matches(Self.words("tacos tour")).count == 25)
    }

    @Test func anIdsKeyOrdersAsTheIdDoes() {
        var index = TextIndex()
        for number in 0..<200 { index.upsert(Self.document("Tour \(number)"), words: []) }
        for (a, b) in zip(index.documents.indices, index.documents.indices.shuffled()) where index.idKeys[a] != index.idKeys[b] {
            #expect((index.idKeys[a] < index.idKeys[b]) == (index.documents[a].id < index.documents[b].id))
        }
    }

    @Test func aQueryMarksItsWordsTheirStemsAndThePrefixTyped() {
        let stems = ["turtles": Stems(english: ["turtl"], spanish: ["turtl"]), "caves": Stems(english: ["cave"], spanish: ["cav"])]
        var text = QueryText("turtles cav")
        text.lastIsPrefix = true
        let query = TextQuery(text, corrections: [[], []], stems: stems)
        // "turtl" is one term though both languages stem to it, and the prefix keeps its own.
        #expect(query.groups.map { $0.map(\.lexemes) } == [[["turtles"], ["turtl"]], [["cav"]]])
        let marks = TextQuery.Marks(query)
        #expect(marks("turtles", stems: nil) && marks("turtle", stems: Stems(english: ["turtl"])) && marks("caverns", stems: nil))
        #expect(!marks("turtle", stems: nil) && !marks("reef", stems: Stems(english: ["reef"], spanish: ["reef"])))
    }

    @Test func snippetsMarkMatchedWordsAndCutLongTexts() {
        let marked = Snippet("Float above <sea> turtles & rays.").highlighting { $0 == "turtles" }
        #expect(marked == "Float above &lt;sea&gt; <mark>turtles</mark> &amp; rays.")
        // Escaped byte by byte: a `<` that a combining mark joins into one character is escaped too, and other
        // characters pass whole.
        let accented = Snippet("Cenote <\u{0338}b> ñandú & tortugas").highlighting { $0 == "tortugas" }
        #expect(accented == "Cenote &lt;\u{0338}b&gt; ñandú &amp; <mark>tortugas</mark>")
        let long = (1...40).map { "w\($0)" }.joined(separator: " ")
        #expect(Snippet(long).highlighting { $0 == "w30" } == (17...40).map { $0 == 30 ? "<mark>w30</mark>" : "w\($0)" }.joined(separator: " "))
        #expect(Snippet(long).highlighting { $0 == "w10" }.hasPrefix("w7 w8 w9 <mark>w10</mark>"))
    }

    /// ASCII descriptions are split byte by byte, others by characters: the words and their folds are the same kind.
    @Test func snippetsSplitASCIIAndOtherTextsAlike() {
        func words(_ text: String) -> [String] {
            let snippet = Snippet(text)
            return snippet.words.map { "\(snippet.text[$0.range])=\($0.folded)" }
        }
        #expect(words("Swim WITH 3 turtles, at 7am!") == ["Swim=swim", "WITH=with", "3=3", "turtles=turtles", "at=at", "7am=7am"])
        #expect(words("Nada con 3 Tortugas, ¡Cenotés!") == ["Nada=nada", "con=con", "3=3", "Tortugas=tortugas", "Cenotés=cenotes"])
        #expect(words("--") == [] && words("end") == ["end=end"])
    }
}
