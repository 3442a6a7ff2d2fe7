import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Messaging

@Suite struct ResponseStatsTests {
    @Test func bookingLearnsHowAProviderAnswersTheConversationsOthersOpen() async throws {
        try await MessagingHarness.run { messaging in
            let (traveler, provider, answered) = try await messaging.pair()
            let other = try await messaging.user(.traveler, name: "Eva")
            let opened = try await messaging.request(
                .post, "/api/v1/conversations", as: other, json: ["experienceId": await messaging.experience(of: provider).uuidString])
            let unanswered = try #require(UUID(uuidString: opened.json["id"] as? String ?? ""))
            for (conversation, user, text) in [(answered, traveler, "Is it deep?"), (answered, provider, "Three metres."), (unanswered, other, "Hola?")] {
                let sent = try await messaging.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: user, json: ["body": text, "clientMessageId": UUID().uuidString])
                try #require(sent.status == .created, "\(sent.text)")
            }
            // The answer came 30 minutes after the question.
            try await messaging.postgres.query(
                "UPDATE messages SET created_at = now() - interval '2 hours' WHERE conversation_id = \(answered) AND sender_id = \(traveler.id)")
            try await messaging.postgres.query(
                "UPDATE messages SET created_at = now() - interval '90 minutes' WHERE conversation_id = \(answered) AND sender_id = \(provider.id)")

            let credential = await ServiceCredential(service: .booking, secret: ServiceConfiguration.developmentSecret)
            let internalCall: HTTPFields = [.authorization: "Bearer \(try await credential.token(for: .messaging))"]
            let answer = try await messaging.request(.get, ResponseStats.path(provider.id), as: nil, headers: internalCall)
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(try answer.decode(ResponseStats.self) == ResponseStats(userId: provider.id, conversations: 2, responseRate: 0.5, responseTimeMinutes: 30))
            // Nobody wrote to the traveler first: nothing to measure.
            let quiet = try await messaging.request(.get, ResponseStats.path(other.id), as: nil, headers: internalCall).decode(ResponseStats.self)
            #expect(quiet.conversations == 0 && quiet.responseRate == nil && quiet.responseTimeMinutes == nil)
            // Only Booking asks: a user's token finds nothing there, another service is refused.
            #expect(try await messaging.request(.get, ResponseStats.path(provider.id), as: traveler).status == .notFound)
            let search = await ServiceCredential(service: .search, secret: ServiceConfiguration.developmentSecret)
            let fromSearch: HTTPFields = [.authorization: "Bearer \(try await search.token(for: .messaging))"]
            #expect(try await messaging.request(.get, ResponseStats.path(provider.id), as: nil, headers: fromSearch).status == .forbidden)
        }
    }
}
