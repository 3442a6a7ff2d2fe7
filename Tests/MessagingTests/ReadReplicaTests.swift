import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Messaging

/// Messaging given `DATABASE_READ_URL`: reading history back goes to the replica; catching up after a message, which
/// must not miss one, stays on the primary.
@Suite struct MessagingReadReplicaTests {
    @Test func historyIsReadBackFromTheReplicaAndCatchingUpFromThePrimary() async throws {
        try await MessagingHarness.run(["DATABASE_READ_URL": TestEnvironment.readDatabaseURL]) { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            var sent: [UUID] = []
            for index in 1...3 {
                let message = try await harness.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "question \(index)", "clientMessageId": "q\(index)"])
                #expect(message.status == .created)
                sent.append(try message.decode(Message.self).id)
            }
            // Right after the last write: what came after the first message, all of it, from the primary.
            let after = try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages?after=\(sent[0])", as: provider)
            #expect(try after.decode(ConversationRoutes.MessagePage.self).items.map(\.body) == ["question 2", "question 3"])
            let history = try await eventually {
                let page = try await harness.request(.get, "/api/v1/conversations/\(conversation)/messages", as: provider)
                return try page.decode(ConversationRoutes.MessagePage.self).items.map(\.body) == ["question 3", "question 2", "question 1"]
            }
            #expect(history)
            let schema = try #require(try await harness.postgres.query("SELECT current_schema()").decode(String.self).first { _ in true })
            #expect(try await ReplicaActivity.reads(of: schema, containing: "FROM messages m", on: TestEnvironment.readDatabaseURL) >= 1)
            #expect(try await ReplicaActivity.reads(of: schema, containing: "", on: TestEnvironment.databaseURL) == 0)
        }
    }
}
