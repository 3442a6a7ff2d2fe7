import Contracts
import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOWebSocket
import TestSupport
import Testing

/// Several instances of the services that look stateful, as a cluster runs them: nothing may be bound to one. One of
/// `StackTests`, which run one at a time: two stacks on the same database would take each other's jobs.
extension StackTests {
    @Test func twoInstancesOfBookingSearchMessagingAndNotifyShareTheirWork() async throws {
        let stack = try Stack(instances: [.booking: 2, .search: 2, .messaging: 2, .notify: 2])
        let ready = await stack.waitUntilReady()
        #expect(ready, "\(stack.output)")
        guard ready else { return await stack.stop() }
        let (provider, _) = try await stack.signUp("provider")
        let (traveler, travelerEmail) = try await stack.signUp("traveler")

        // The gateway spreads the calls for Booking over both instances.
        let word = "xtab" + String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
        let (experienceID, slotID) = try await stack.listExperience(
            [
                "title": "Xtabentún tasting \(word)", "description": "Anise and honey liqueur, three ways.", "category": "food",
                "location": ["latitude": 20.97, "longitude": -89.62, "city": "Mérida", "country": "MX"], "timeZone": "America/Merida",
                "durationMinutes": 90, "price": ["amount": 50_000, "currency": "MXN"], "maxGuests": 4, "bookingMode": "instant",
                "cancellationPolicy": "flexible", "languages": ["es"],
            ], by: provider, slotIn: 5, capacity: 3)
        for _ in 0..<4 { _ = try await stack.call("GET", "/api/v1/experiences/\(experienceID)", token: provider) }
        let bothServed = await eventually {
            let gateway = stack.processes[.gateway]!.output(lastLines: 400)
            return stack.instancePorts[.booking]!.allSatisfy { gateway.contains("\"upstream\":\"booking@127.0.0.1:\($0)\"") }
        }
        #expect(bothServed, "\(stack.output)")

        // Search: each instance has the new experience within a round of its own (read-your-writes on either).
        for instance in 0..<2 {
            let found = try await eventually {
                let (_, page) = try await stack.call("GET", at: stack.url(.search, "/api/v1/search?q=\(word)", instance: instance), token: traveler)
                return ((page["items"] as? [[String: Any]]) ?? []).contains { ($0["id"] as? String)?.lowercased() == experienceID.lowercased() }
            }
            #expect(found, "search instance \(instance + 1)\n\(stack.output)")
        }

        // Booking: six one-seat bookings of a three-seat slot, three straight to each instance: exactly three seats sold.
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for attempt in 0..<6 {
                group.addTask {
                    try await stack.call(
                        "POST", at: stack.url(.booking, "/api/v1/bookings", instance: attempt % 2), token: traveler,
                        body: ["slotId": slotID, "guests": 1], headers: ["Idempotency-Key": UUID().uuidString]
                    ).0
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 3 && statuses.filter { $0 == 409 }.count == 3, "\(statuses)")

        // Messaging: the provider listens on the second instance; the traveler writes through the first.
        let (opened, conversation) = try await stack.call("POST", "/api/v1/conversations", token: traveler, body: ["experienceId": experienceID])
        #expect(opened == 201)
        let conversationID = try #require(conversation["id"] as? String)
        let heard = NIOLockedValueBox(false)
        let listener = "ws://127.0.0.1:\(stack.instancePorts[.messaging]![1])/api/v1/messaging/ws?token=\(provider)"
        try await WebSocketClient.connect(url: listener, logger: Logger(label: "e2e")) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"ping"}"#))
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message else { continue }
                if text.contains("\"ping\"") {
                    let (sent, _) = try await stack.call(
                        "POST", at: stack.url(.messaging, "/api/v1/conversations/\(conversationID)/messages", instance: 0), token: traveler,
                        body: ["body": "¿Con hielo?", "clientMessageId": "scale-1"])
                    #expect(sent == 201)
                } else if text.contains("hielo") {
                    heard.withLockedValue { $0 = true }
                    break
                }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        #expect(heard.withLockedValue { $0 }, "\(stack.output)")

        // Notify: two instances of two workers each sent the traveler's verification mail once.
        let mails = { () async throws -> Int in
            let (_, page) = try await stack.call("GET", "/api/v1/dev/mailbox?limit=100", token: traveler)
            return ((page["items"] as? [[String: Any]]) ?? []).filter { $0["to"] as? String == travelerEmail }.count
        }
        #expect(try await eventually { try await mails() >= 1 })
        try await Task.sleep(for: .seconds(2))
        #expect(try await mails() == 1)
        await stack.stop()
    }
}
