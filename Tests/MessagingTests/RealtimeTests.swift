import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Messaging

/// The socket across two instances sharing Redis: delivery, acks and order, resends, catch-up, presence, typing,
/// read receipts, authorization, and a slow consumer.
@Suite struct RealtimeTests {
    @Test func aMessageSentOnOneInstanceReachesAMemberOnTheOtherInOrderWithItsAck() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let providerSocket = try await harness.connect(provider, instance: 1)
            let travelerSocket = try await harness.connect(traveler, instance: 0)
            // The provider hears the traveler come online, through the other instance.
            try await providerSocket.wait { $0.type == "presence" && $0.userId == traveler.id && $0.online == true }

            for index in 1...5 {
                try await travelerSocket.send([
                    "type": "send", "conversationId": conversation.uuidString, "body": "message \(index)", "clientMessageId": "c\(index)",
                ])
            }
            let acks = try await travelerSocket.wait(for: 5) { $0.type == "ack" && $0.of == "send" }
            let received = try await providerSocket.wait(for: 5) { $0.type == "message" }.compactMap(\.message)
            #expect(received.map(\.body) == (1...5).map { "message \($0)" })
            #expect(received.map(\.id) == acks.compactMap(\.message?.id))
            #expect(received.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(acks.map(\.clientMessageId) == ["c1", "c2", "c3", "c4", "c5"])
            // The sender's own socket gets the ack, not the message again.
            #expect(travelerSocket.messages.isEmpty)

            // Typing and read receipts reach the other side; the read mark shows in the unread count.
            try await providerSocket.send(["type": "typing", "conversationId": conversation.uuidString])
            try await travelerSocket.wait { $0.type == "typing" && $0.userId == provider.id && $0.conversationId == conversation }
            try await providerSocket.send(["type": "read", "conversationId": conversation.uuidString, "upToMessageId": received[2].id.uuidString])
            try await travelerSocket.wait { $0.type == "read" && $0.upToMessageId == received[2].id }
            let seen = try await harness.request(.get, "/api/v1/conversations/\(conversation)", as: provider, instance: 1)
            #expect(seen.json["unreadCount"] as? Int == 2)

            try await travelerSocket.send(["type": "ping"])
            try await travelerSocket.wait(for: 2) { $0.type == "ack" && $0.of == "ping" }
            // Online on the other instance (Redis' presence says so): the provider was not told through Notify.
            #expect(await harness.outside.notices.isEmpty)
            await travelerSocket.close()
            try await providerSocket.wait { $0.type == "presence" && $0.userId == traveler.id && $0.online == false }
            await providerSocket.close()
        }
    }

    /// An instance follows the channels it publishes to: what comes back is dropped, so a member's other socket on the
    /// same instance gets each message once, and the one on the other instance once too.
    @Test func eachSocketGetsAMessageOnceWhateverInstancesTheMembersAreOn() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let phone = try await harness.connect(traveler, instance: 0)
            let laptop = try await harness.connect(traveler, instance: 0)
            let here = try await harness.connect(provider, instance: 0)
            let there = try await harness.connect(provider, instance: 1)
            for index in 1...3 {
                try await phone.send(["type": "send", "conversationId": conversation.uuidString, "body": "m\(index)", "clientMessageId": "c\(index)"])
            }
            try await phone.wait(for: 3) { $0.type == "ack" && $0.of == "send" }
            for socket in [laptop, here, there] { try await socket.wait(for: 3) { $0.type == "message" } }
            // A frame sent twice would have come by now: the acks and three copies came through the same Redis.
            try await phone.send(["type": "send", "conversationId": conversation.uuidString, "body": "last", "clientMessageId": "c4"])
            for socket in [laptop, here, there] { try await socket.wait { $0.type == "message" && $0.message?.body == "last" } }
            for socket in [laptop, here, there] { #expect(socket.messages.map(\.body) == ["m1", "m2", "m3", "last"]) }
            #expect(phone.messages.isEmpty)
            for socket in [phone, laptop, here, there] { await socket.close() }
        }
    }

    @Test func aResendWithTheSameClientMessageIdIsStoredOnce() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, _, conversation) = try await harness.pair()
            let socket = try await harness.connect(traveler)
            let frame: [String: any Sendable] = [
                "type": "send", "conversationId": conversation.uuidString, "body": "Are towels included?", "clientMessageId": "m-1",
            ]
            try await socket.send(frame)
            try await socket.send(frame)
            let acks = try await socket.wait(for: 2) { $0.type == "ack" && $0.of == "send" }
            #expect(acks[0].message?.id == acks[1].message?.id)
            // The HTTP fallback knows the resend too: 200 and the first message.
            let again = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "Are towels included?", "clientMessageId": "m-1"],
                instance: 1)
            #expect(again.status == .ok)
            #expect(try again.decode(Message.self).id == acks[0].message?.id)
            #expect(try await harness.storedMessages(conversation) == 1)
            await socket.close()
        }
    }

    @Test func aReconnectingClientGetsWhatItMissedInOrder() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let socket = try await harness.connect(traveler)
            let first = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: provider, json: ["body": "Welcome!", "clientMessageId": "p1"])
            let firstMessage = try first.decode(Message.self)
            try await socket.wait { $0.message?.id == firstMessage.id }
            await socket.close()

            var missed: [UUID] = []
            for index in 1...3 {
                let sent = try await harness.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: provider,
                    json: ["body": "while away \(index)", "clientMessageId": "p\(index + 1)"], instance: 1)
                missed.append(try sent.decode(Message.self).id)
            }
            let back = try await harness.connect(traveler, instance: 1, since: firstMessage.id)
            let caughtUp = try await back.wait(for: 3) { $0.type == "message" }
            #expect(caughtUp.compactMap(\.message?.id) == missed)
            // Live messages follow, without repeats.
            _ = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: provider, json: ["body": "live", "clientMessageId": "p5"])
            try await back.wait(for: 4) { $0.type == "message" }
            #expect(back.messages.map(\.body) == ["while away 1", "while away 2", "while away 3", "live"])
            await back.close()
        }
    }

    @Test func aSocketKnowsItsUsersConversationsFromTheStartWithoutALookupOnItsFirstFrame() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let socket = try await harness.connect(traveler)
            // Renamed behind Messaging's back: a lookup would read the new title, and the provider's notice would carry it.
            try await harness.postgres.query("UPDATE conversations SET experience_title = 'Renamed' WHERE id = \(conversation)")
            try await socket.send(["type": "send", "conversationId": conversation.uuidString, "body": "hola", "clientMessageId": "t1"])
            try await socket.wait { $0.type == "ack" && $0.of == "send" }
            try #require(await eventually { await harness.outside.notices.count == 1 })
            #expect(await harness.outside.notices.first?.recipientId == provider.id)
            #expect(await harness.outside.notices.first?.data["experienceTitle"] == "Cenote swim")
            await socket.close()

            // The other instance, where the traveler has no socket, looks the conversation up on the first send.
            let other = try await harness.pair()
            try await harness.postgres.query("UPDATE conversations SET experience_title = 'Renamed' WHERE id = \(other.conversation)")
            let sent = try await harness.request(
                .post, "/api/v1/conversations/\(other.conversation)/messages", as: other.traveler, json: ["body": "hola", "clientMessageId": "t1"], instance: 1)
            #expect(sent.status == .created)
            try #require(await eventually { await harness.outside.notices.count == 2 })
            #expect(await harness.outside.notices.last?.data["experienceTitle"] == "Renamed")
        }
    }

    @Test func onlyMembersReachAConversationOnTheSocket() async throws {
        try await MessagingHarness.run { harness in
            let (traveler, _, conversation) = try await harness.pair()
            // A member's message first: the instance knows the conversation's parties when the stranger asks.
            let first = try await harness.request(
                .post, "/api/v1/conversations/\(conversation)/messages", as: traveler, json: ["body": "hola", "clientMessageId": "t1"])
            #expect(first.status == .created)
            let stranger = try await harness.user(name: "Eve")
            let socket = try await harness.connect(stranger)
            try await socket.send(["type": "send", "conversationId": conversation.uuidString, "body": "hi", "clientMessageId": "x"])
            try await socket.send(["type": "typing", "conversationId": conversation.uuidString])
            let errors = try await socket.wait(for: 2) { $0.type == "error" }
            #expect(errors.map(\.code) == ["not_found", "not_found"])
            #expect(errors[0].clientMessageId == "x")
            try await socket.send(["type": "shout"])
            try await socket.wait { $0.code == "bad_frame" }
            #expect(try await harness.storedMessages(conversation) == 1)
            await socket.close()

            // Without a valid token there is no socket, and the HTTP route says why.
            await #expect(throws: (any Error).self) {
                _ = try await TestSocket.connect(url: "ws://127.0.0.1:\(harness.ports[0])/api/v1/messaging/ws", token: "forged")
            }
            #expect(try await harness.request(.get, "/api/v1/messaging/ws", as: nil).status == .unauthorized)
            #expect(try await harness.request(.get, "/api/v1/messaging/ws?since=nope", as: stranger).status == .badRequest)
        }
    }

    @Test func heartbeatsCloseASocketThatStoppedAnswering() async throws {
        // Two seconds: on a loaded machine a live client's answer to a one-second ping can come late enough to be let go.
        try await MessagingHarness.run(["MESSAGING_HEARTBEAT_MS": "2000"]) { harness in
            let (traveler, provider, _) = try await harness.pair()
            let watcher = try await harness.connect(provider)
            // The stalled client never answers the server's pings.
            let stalled = try StalledSocket(port: harness.ports[1], token: traveler.token)
            try await watcher.wait(timeout: .seconds(45)) { $0.type == "presence" && $0.userId == traveler.id && $0.online == true }
            // Gone after a ping or two without an answer.
            try await watcher.wait(timeout: .seconds(45)) { $0.type == "presence" && $0.userId == traveler.id && $0.online == false }
            #expect(try stalled.readsToTheEnd(timeout: 5))
            await watcher.close()
        }
    }

    @Test func aSlowConsumerIsLetGoWithoutDelayingOthers() async throws {
        try await MessagingHarness.run(["MESSAGING_SOCKET_QUEUE": "8"]) { harness in
            let (traveler, provider, conversation) = try await harness.pair()
            let fast = try await harness.connect(provider)
            let slow = try StalledSocket(port: harness.ports[0], token: traveler.token)
            try await fast.wait(timeout: .seconds(20)) { $0.type == "presence" && $0.userId == traveler.id && $0.online == true }
            let body = String(repeating: "Bring a towel and sunscreen. ", count: 130)
            var sent = 0
            var letGo = false
            while sent < 1500, !letGo {
                _ = try await harness.request(
                    .post, "/api/v1/conversations/\(conversation)/messages", as: provider, json: ["body": body, "clientMessageId": "m\(sent)"])
                sent += 1
                // The provider's own socket hears of each message, however far behind the stalled traveler is: were
                // delivery to wait for the traveler's socket, it would stop here once that socket's buffers filled.
                try await fast.wait(for: sent, timeout: .seconds(10)) { $0.type == "message" }
                if sent % 20 == 0 {
                    letGo = try await harness.request(.get, "/api/v1/conversations/\(conversation)", as: provider).text.contains("\"online\":false")
                }
            }
            #expect(letGo, "the stalled socket was still open after \(sent) messages")
            #expect(try slow.readsToTheEnd(timeout: 5))
            await fast.close()
        }
    }
}
