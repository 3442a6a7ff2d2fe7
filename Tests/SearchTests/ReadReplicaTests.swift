import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Search

/// Search given `DATABASE_READ_URL`: its index follows the replica, and an event it applies is searchable when the
/// event's answer comes, because it waits for the replica to replay its own write.
@Suite struct SearchReadReplicaTests {
    @Test func theIndexIsReadFromTheReplicaAndFollowsItsOwnWritesAtOnce() async throws {
        #expect(try await ReplicaActivity.isReplica(TestEnvironment.readDatabaseURL))
        try await SearchHarness.run(variables: ["DATABASE_READ_URL": TestEnvironment.readDatabaseURL]) { search in
            let catalog = Catalog.make()
            try await search.load(catalog)
            let tacos = try #require(catalog[2].slot)
            #expect(try await search.titles("q=tacos%20").first == "Tacos al pastor night tour")
            // Each write is on the primary; each read right after it already sees it.
            for (round, remaining) in [0, 4, 0, 4].enumerated() {
                var changed = tacos
                changed.remaining = remaining
                let event = SearchFeedEvent(kind: .slotChanged, version: Int64(10 + round), occurredAt: Date(), slot: changed)
                #expect(try await search.feed(event).status == .noContent)
                let found = try await search.titles("q=tacos%20&guests=4").contains("Tacos al pastor night tour")
                #expect(found == (remaining == 4))
            }
            let schema = try #require(try await search.postgres.query("SELECT current_schema()").decode(String.self).first { _ in true })
            #expect(try await ReplicaActivity.reads(of: schema, containing: "FROM documents d", on: TestEnvironment.readDatabaseURL) >= 1)
            #expect(try await ReplicaActivity.reads(of: schema, containing: "", on: TestEnvironment.databaseURL) == 0)
            #expect(try await search.count("SELECT count(*)::int FROM documents") == catalog.count)
        }
    }
}
