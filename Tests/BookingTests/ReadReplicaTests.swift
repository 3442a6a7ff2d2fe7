import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

/// Booking given `DATABASE_READ_URL`: writes go to the primary, public listings, open dates and reviews to the
/// replica, and a provider's own list (drafts included) stays on the primary, so that it follows their writes at once.
@Suite struct BookingReadReplicaTests {
    @Test func publicListingsAreReadFromTheReplicaAndWritesGoToThePrimary() async throws {
        #expect(try await ReplicaActivity.isReplica(TestEnvironment.readDatabaseURL))
        try await BookingHarness.run(["DATABASE_READ_URL": TestEnvironment.readDatabaseURL]) { booking in
            let provider = try await BookingHarness.user(.provider)
            let experience = try await booking.publishedExperience(of: provider)
            let slot = try await booking.slot(of: experience, by: provider)
            #expect(try await booking.count("SELECT count(*)::int FROM experiences WHERE id = \(experience.id)") == 1)
            let mine = try await booking.send(.get, "/api/v1/experiences?providerId=\(provider.id)", as: provider).decode(Page<Experience>.self)
            #expect(mine.items.map(\.id) == [experience.id])

            // The replica has it a moment later: the public list and the open dates are read there.
            let listed = try await eventually {
                try await booking.send(.get, "/api/v1/experiences?providerId=\(provider.id)").decode(Page<Experience>.self).items.map(\.id)
                    == [experience.id]
            }
            #expect(listed)
            let dates = try await eventually {
                try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability?guests=1").text.lowercased().contains(
                    slot.id.uuidString.lowercased())
            }
            #expect(dates)
            let schema = try #require(try await booking.postgres.query("SELECT current_schema()").decode(String.self).first { _ in true })
            let replica = TestEnvironment.readDatabaseURL
            #expect(
                try await ReplicaActivity.reads(of: schema, containing: "FROM experiences", on: replica)
                    + ReplicaActivity.reads(of: schema, containing: "FROM slots", on: replica) >= 1)
            #expect(try await ReplicaActivity.reads(of: schema, containing: "", on: TestEnvironment.databaseURL) == 0)
        }
    }
}
