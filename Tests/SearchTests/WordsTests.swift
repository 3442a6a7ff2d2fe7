import Foundation
import Logging
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Search

struct WordsTests {
    /// A full memory of stems lets go of its older half, not of everything: the words of the latest queries are still
    /// known without PostgreSQL (which is gone by then), as they were not when the memory emptied itself when full.
    @Test func aFullMemoryOfStemsKeepsTheLatestWords() async throws {
        let postgres = PostgresClient(
            configuration: try .init(url: URL(string: TestEnvironment.databaseURL)!, schema: "public", poolSize: 1), backgroundLogger: Logger(label: "test"))
        let running = Task { await postgres.run() }
        let words = Words(postgres: postgres, logger: Logger(label: "test"), capacity: 10)
        let asked = ["cenote", "tour", "kayak", "sunset", "market", "ruins", "tacos", "jungle", "lagoon", "reef"]
        for word in asked { _ = try await words.stems(of: [word]) }
        #expect(try await words.stems(of: ["tours"])["tours"]?.english == ["tour"])
        running.cancel()
        await running.value

        // The five latest, from memory.
        let latest = Set(["ruins", "tacos", "jungle", "lagoon", "reef"])
        #expect(try await words.stems(of: latest).keys.sorted() == latest.sorted())
        await #expect(throws: (any Error).self) { try await words.stems(of: ["cenote"]) }
    }
}
