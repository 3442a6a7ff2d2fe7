import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Notify

@Suite struct NotifyFlowTests {
    @Test func aNotificationIsAcceptedOnceAndReachesTheMailboxAndTheInbox() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user()
            let data: [String: JSONValue] = NotificationCatalog.entries[.bookingConfirmed]!.sample
            let first = try await notify.notify(.bookingConfirmed, to: ana.id, data: data, key: "booking.confirmed:1")
            #expect(first.status == .accepted)
            let again = try await notify.notify(.bookingConfirmed, to: ana.id, data: data, key: "booking.confirmed:1")
            #expect(again.status == .ok)
            #expect(try again.decode(InternalRoutes.Accepted.self).id == first.decode(InternalRoutes.Accepted.self).id)

            #expect(try await eventually { try await notify.jobs(of: ana.id) == ["email": "sent", "push": "skipped", "in_app": "sent"] })
            let inbox = try await notify.send(.get, "/api/v1/notifications", as: ana).decode(InboxRoutes.InboxPage.self)
            #expect(inbox.unreadCount == 1)
            #expect(inbox.items.first?.title == "Booked: Cenote swim near Valladolid")
            #expect(inbox.items.first?.data["bookingId"] == data["bookingId"])
            let letters = try await notify.send(.get, "/api/v1/dev/mailbox").decode(PreviewRoutes.Letters.self).items
            #expect(letters.count == 1)
            #expect(letters.first?.to.hasPrefix("ana-") == true)
            #expect(letters.first?.text.contains("Total: 2550.00 MXN") == true)
            // Every attempt is recorded with the provider's answer; push had no device to go to.
            #expect(try await notify.count("SELECT count(*)::int FROM deliveries WHERE provider = 'mailbox' AND outcome = 'sent'") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE last_error = 'no_device'") == 1)
        }
    }

    @Test func badRequestsNameTheFieldAndKeepNothing() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user()
            let unknown = try await notify.notify("booking.exploded", to: ana.id)
            #expect(unknown.status == .badRequest)
            #expect(unknown.problem?.errors?.first?.field == "type")
            #expect(try await notify.notify(.bookingConfirmed, to: ana.id, key: "").problem?.errors?.first?.field == "idempotencyKey")
            let tooLate = try await notify.notify(.bookingConfirmed, to: ana.id, sendAt: Date().addingTimeInterval(400 * 86_400))
            #expect(tooLate.problem?.errors?.first?.field == "sendAt")
            #expect(try await notify.count("SELECT count(*)::int FROM notifications") == 0)
            // Only services reach the internal route; to anyone else it does not exist.
            let sneaky = try await notify.client.executeRequest(
                uri: NotificationRequest.path, method: .post, headers: [.authorization: "Bearer \(ana.token)", .contentType: "application/json"],
                body: ByteBuffer(
                    bytes: try JSONEncoder.mayaGo.encode(NotificationRequest(type: .bookingConfirmed, recipientId: ana.id, data: [:], idempotencyKey: "x")))
            )
            #expect(sneaky.status == .notFound)
            #expect(try await notify.count("SELECT count(*)::int FROM notifications") == 0)
        }
    }

    @Test func nobodyReadsOrMarksAnotherUsersInbox() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user()
            let luis = try await notify.user(name: "Luis")
            for _ in 0..<3 { try await notify.notify(.reviewRequest, to: ana.id, data: NotificationCatalog.entries[.reviewRequest]!.sample) }
            #expect(try await eventually { try await notify.send(.get, "/api/v1/notifications", as: ana).decode(InboxRoutes.InboxPage.self).unreadCount == 3 })
            let entry = try #require(try await notify.send(.get, "/api/v1/notifications?limit=2", as: ana).decode(InboxRoutes.InboxPage.self).items.first)

            #expect(try await notify.send(.get, "/api/v1/notifications", as: luis).decode(InboxRoutes.InboxPage.self).items.isEmpty)
            #expect(try await notify.send(.post, "/api/v1/notifications/\(entry.id)/read", as: luis).status == .notFound)
            #expect(try await notify.send(.post, "/api/v1/notifications/read-all", as: luis).decode(InboxRoutes.Marked.self).marked == 0)
            #expect(try await notify.send(.get, "/api/v1/notifications").status == .unauthorized)

            let read = try await notify.send(.post, "/api/v1/notifications/\(entry.id)/read", as: ana).decode(InboxEntry.self)
            #expect(read.readAt != nil)
            // Three entries of one instant: a page boundary between them skips none and repeats none.
            #expect(
                try await notify.count(
                    "WITH moved AS (UPDATE inbox_entries SET created_at = '2026-12-01T10:00:00.123456Z' WHERE user_id = '\(ana.id)' RETURNING 1) SELECT count(*)::int FROM moved"
                ) == 3)
            let page = try await notify.send(.get, "/api/v1/notifications?limit=2", as: ana).decode(InboxRoutes.InboxPage.self)
            #expect(page.unreadCount == 2)
            let cursor = try #require(page.nextCursor)
            let rest = try await notify.send(.get, "/api/v1/notifications?limit=2&cursor=\(cursor)", as: ana).decode(InboxRoutes.InboxPage.self)
            #expect(rest.items.count == 1)
            #expect(Set((page.items + rest.items).map(\.id)).count == 3)
            #expect(try await notify.send(.post, "/api/v1/notifications/read-all", as: ana).decode(InboxRoutes.Marked.self).marked == 2)
            #expect(try await notify.send(.get, "/api/v1/notifications?cursor=yesterday", as: ana).problem?.errors?.first?.field == "cursor")
        }
    }

    @Test func preferencesDecideTheChannelsAndSecurityMailStaysOn() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user()
            let shown = try await notify.send(.get, "/api/v1/notifications/preferences", as: ana).decode(PreferenceRoutes.View.self)
            #expect(shown.channels["booking.confirmed"] == [.email: true, .sms: false, .push: true, .inApp: true])
            #expect(shown.alwaysByEmail.contains("auth.password_reset"))

            let refused = try await notify.send(
                .put, "/api/v1/notifications/preferences",
                [
                    "language": "fr", "timeZone": "Mars/Olympus", "phone": "555-1234", "quietHours": ["start": "25:00", "end": "07:00"],
                    "channels": ["auth.password_reset": ["email": false], "booking.confirmed": ["fax": true], "booking.nothing": ["email": true]],
                ], as: ana)
            #expect(refused.status == .badRequest)
            #expect(
                Set(refused.problem?.errors?.map(\.field) ?? []) == [
                    "language", "timeZone", "phone", "quietHours.start", "channels.auth.password_reset.email", "channels.booking.confirmed.fax",
                    "channels.booking.nothing",
                ])
            #expect(try await notify.count("SELECT count(*)::int FROM preferences") == 0)

            let saved = try await notify.savePreferencesConfirmingPhone(
                [
                    "language": "es", "timeZone": "America/Merida", "phone": "+529991234567",
                    "channels": ["booking.confirmed": ["email": false, "sms": true]],
                ], as: ana)
            #expect(saved.status == .ok)
            try await notify.notify(.bookingConfirmed, to: ana.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id) == ["sms": "sent", "push": "skipped", "in_app": "sent"] })
            let sms = try await notify.send(.get, "/api/v1/dev/mailbox").decode(PreviewRoutes.Letters.self).items.first { !$0.short.contains("your code is") }
            #expect(sms?.channel == "sms")
            #expect(sms?.to == "+529991234567")
            #expect(sms?.short.hasPrefix("MayaGo: ¡reservado!") == true)
            // A password reset still goes by email.
            try await notify.notify(.passwordReset, to: ana.id, data: NotificationCatalog.entries[.passwordReset]!.sample)
            #expect(
                try await eventually {
                    try await notify.count("SELECT count(*)::int FROM jobs WHERE type = 'auth.password_reset' AND channel = 'email' AND status = 'sent'") == 1
                })
            // Once delivered, the reset link is not kept: the mail carried it.
            #expect(
                try await eventually {
                    try await notify.count("SELECT count(*)::int FROM notifications WHERE type = 'auth.password_reset' AND data ? 'link'") == 0
                })
            #expect(try await notify.count("SELECT count(*)::int FROM notifications WHERE type = 'auth.password_reset' AND data ? 'name'") == 1)
            // Mail about an email change goes to the address it names, not the account's.
            try await notify.notify(.emailChange, to: ana.id, data: NotificationCatalog.entries[.emailChange]!.sample, emailTo: "ana.new@example.com")
            #expect(
                try await eventually {
                    try await notify.send(.get, "/api/v1/dev/mailbox").decode(PreviewRoutes.Letters.self).items.contains {
                        $0.channel == "email" && $0.to == "ana.new@example.com" && $0.subject.contains("MayaGo")
                    }
                })
        }
    }

    @Test func quietHoursHoldAnSMSUntilTheyEnd() async throws {
        let clock = TestClock()
        try await NotifyHarness.run(clock: clock.clock) { notify in
            let ana = try await notify.user()
            // Quiet for the next two hours wherever the test runs: a window in UTC around now.
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = .gmt
            let now = utc.dateComponents([.hour, .minute], from: Date())
            let start = String(format: "%02d:%02d", now.hour!, now.minute!)
            let end = String(format: "%02d:%02d", (now.hour! + 2) % 24, now.minute!)
            try await notify.savePreferencesConfirmingPhone(
                [
                    "timeZone": "UTC", "phone": "+529991234567", "quietHours": ["start": start, "end": end],
                    "channels": ["booking.reminder": ["sms": true]],
                ], as: ana)
            try await notify.notify(.bookingReminder, to: ana.id, data: NotificationCatalog.entries[.bookingReminder]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["email"] == "sent" })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await notify.jobs(of: ana.id)["sms"] == "queued")
            #expect(
                try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'sms' AND attempts = 0 AND run_at > now() + interval '100 minutes'") == 1
            )
            clock.advance(by: 2 * 3600 + 60)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["sms"] == "sent" })
        }
    }

    @Test func aScheduledNotificationWaitsForItsTime() async throws {
        let clock = TestClock()
        try await NotifyHarness.run(clock: clock.clock) { notify in
            let ana = try await notify.user()
            let due = clock.clock.now().addingTimeInterval(3600)
            try await notify.notify(.reviewRequest, to: ana.id, data: NotificationCatalog.entries[.reviewRequest]!.sample, sendAt: due)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await notify.jobs(of: ana.id)["in_app"] == "queued")
            clock.advance(by: 3601)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["in_app"] == "sent" })
        }
    }

    @Test func floodsAreCutPerRecipientAndChannel() async throws {
        try await NotifyHarness.run(["NOTIFY_RATE_LIMIT_PER_HOUR": "2"]) { notify in
            let ana = try await notify.user()
            for index in 0..<3 {
                try await notify.notify(.reviewRequest, to: ana.id, data: NotificationCatalog.entries[.reviewRequest]!.sample)
                #expect(
                    try await eventually {
                        try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status <> 'queued' AND status <> 'sending'") == index
                            + 1
                    })
            }
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'sent'") == 2)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND last_error = 'rate_limited'") == 1)
            // Security mail is never cut.
            try await notify.notify(.passwordReset, to: ana.id, data: NotificationCatalog.entries[.passwordReset]!.sample)
            #expect(
                try await eventually { try await notify.count("SELECT count(*)::int FROM jobs WHERE type = 'auth.password_reset' AND status = 'sent'") == 1 })
        }
    }

    @Test func aBurstToOneRecipientIsCutAtTheLimitThoughSentInOneBatch() async throws {
        try await NotifyHarness.run(["NOTIFY_RATE_LIMIT_PER_HOUR": "2", "NOTIFY_WORKERS": "1"]) { notify in
            let ana = try await notify.user()
            // Due together a moment from now, so that one claim takes them all.
            let due = Date().addingTimeInterval(1)
            for _ in 0..<5 {
                try await notify.notify(.reviewRequest, to: ana.id, data: NotificationCatalog.entries[.reviewRequest]!.sample, sendAt: due)
            }
            let done = "SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status <> 'queued' AND status <> 'sending'"
            #expect(try await eventually { try await notify.count(done) == 5 })
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'sent'") == 2)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND last_error = 'rate_limited'") == 3)
        }
    }

    @Test func theFloodLimitCountsTheBatchBeforeWhetherOrNotItsEndsAreWrittenYet() async throws {
        // Three jobs a notice (an email, a push and an in-app notice), due together: four batches, each sent while the
        // ends of the one before are written.
        let notices = JobClaim.batch + 4
        try await NotifyHarness.run(["NOTIFY_RATE_LIMIT_PER_HOUR": "\(notices - 3)", "NOTIFY_WORKERS": "1"]) { notify in
            let ana = try await notify.user()
            let due = Date().addingTimeInterval(1)
            for _ in 0..<notices {
                try await notify.notify(.reviewRequest, to: ana.id, data: NotificationCatalog.entries[.reviewRequest]!.sample, sendAt: due)
            }
            let done = "SELECT count(*)::int FROM jobs WHERE status <> 'queued' AND status <> 'sending'"
            #expect(try await eventually { try await notify.count(done) == 3 * notices })
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'sent'") == notices - 3)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND last_error = 'rate_limited'") == 3)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'in_app' AND status = 'sent'") == notices)
        }
    }

    @Test func newMessagesWhileAwayGoOutAsOneDigestMail() async throws {
        let clock = TestClock()
        try await NotifyHarness.run(clock: clock.clock) { notify in
            let ana = try await notify.user()
            for text in ["Hola Ana", "¿Llegas a las nueve?", "Te espero en la entrada"] {
                try await notify.notify(
                    .newMessage, to: ana.id, data: ["conversationId": "c1", "senderName": "Luis", "experienceTitle": "Cenote swim", "preview": .string(text)])
            }
            // The mail waits for the digest window (five minutes by default) while the inbox has each at once.
            #expect(try await eventually { try await notify.send(.get, "/api/v1/notifications", as: ana).decode(InboxRoutes.InboxPage.self).unreadCount == 3 })
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'queued'") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'digested'") == 2)
            clock.advance(by: 301)
            #expect(
                try await eventually {
                    try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status IN ('sent', 'digested')") == 3
                })
            let mails = try await notify.send(.get, "/api/v1/dev/mailbox").decode(PreviewRoutes.Letters.self).items.filter { $0.channel == "email" }
            #expect(mails.count == 1)
            #expect(mails.first?.subject == "3 new messages")
            #expect(mails.first?.text.contains("Te espero en la entrada") == true)
        }
    }

    @Test func devicesBelongToTheirOwners() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user()
            let luis = try await notify.user(name: "Luis")
            #expect(try await notify.send(.post, "/api/v1/notifications/devices", ["token": "", "platform": "fax"], as: ana).problem?.errors?.count == 2)
            let device = try await notify.send(.post, "/api/v1/notifications/devices", ["token": "fcm-token-1", "platform": "android"], as: ana).decode(
                Device.self)
            #expect(try await notify.send(.delete, "/api/v1/notifications/devices/\(device.id)", as: luis).status == .notFound)
            // Luis cannot take Ana's token over: it stays hers, and her notices keep going to it.
            let taken = try await notify.send(.post, "/api/v1/notifications/devices", ["token": "fcm-token-1", "platform": "web"], as: luis)
            #expect(taken.status == .conflict)
            #expect(taken.problem?.code == "device_taken")
            #expect(try await notify.count("SELECT count(*)::int FROM devices WHERE token = 'fcm-token-1' AND user_id = '\(ana.id)'") == 1)
            #expect(try await notify.send(.post, "/api/v1/notifications/devices", ["token": "fcm-token-1", "platform": "android"], as: ana).status == .created)
            try await notify.notify(.bookingConfirmed, to: ana.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["push"] == "sent" })
            #expect(
                try await notify.send(.get, "/api/v1/dev/mailbox").decode(PreviewRoutes.Letters.self).items.contains {
                    $0.channel == "push" && $0.to == "fcm-token-1"
                })
            #expect(try await notify.send(.delete, "/api/v1/notifications/devices/\(device.id)", as: ana).status == .noContent)
        }
    }

    @Test func adminsPreviewTemplatesWithSampleData() async throws {
        try await NotifyHarness.run { notify in
            let admin = try await notify.user(.admin)
            let preview = try await notify.send(.get, "/api/v1/notifications/templates/booking.cancelled?language=es", as: admin).decode(RenderedMessage.self)
            #expect(preview.subject == "Cancelada: Cenote swim near Valladolid")
            #expect(preview.text.contains("1275.00 MXN"))
            #expect(try await notify.send(.get, "/api/v1/notifications/templates/booking.cancelled", as: try await notify.user()).status == .forbidden)
            #expect(try await notify.send(.get, "/api/v1/notifications/templates/nothing.here", as: admin).status == .notFound)
            #expect(
                try await notify.send(.get, "/api/v1/notifications/templates/booking.cancelled?language=fr", as: admin).problem?.errors?.first?.field
                    == "language")
        }
    }
}
