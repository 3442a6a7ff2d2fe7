import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit
import TestSupport
import Testing
import _CryptoExtras

@testable import Notify

/// SendGrid, Twilio and FCM as their stand-ins see them, and what happens when they say no.
@Suite struct ProviderTests {
    static func body(_ call: Outside.Call) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(call.body.utf8))) as? [String: Any] ?? [:]
    }

    @Test func mailGoesThroughSendGridsAPIWithTheDeliveryKey() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid"]) { notify in
            let ana = try await notify.user()
            try await notify.notify(.bookingConfirmed, to: ana.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["email"] == "sent" })
            let call = try #require(await notify.outside.calls(to: "/v3/mail/send").first)
            #expect(call.headers[.authorization] == "Bearer SG.test")
            let mail = Self.body(call)
            let to = ((mail["personalizations"] as? [[String: Any]])?.first?["to"] as? [[String: Any]])?.first?["email"] as? String
            #expect(to?.hasPrefix("ana-") == true)
            #expect(mail["subject"] as? String == "Booked: Cenote swim near Valladolid")
            #expect((mail["content"] as? [[String: Any]])?.map { $0["type"] as? String } == ["text/plain", "text/html"])
            let key = (mail["custom_args"] as? [String: Any])?["delivery_key"] as? String
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE id::text = '\(key ?? "")' AND channel = 'email'") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM deliveries WHERE provider = 'sendgrid' AND answer LIKE '202 sg-%'") == 1)
        }
    }

    @Test func textsGoThroughTwiliosAPI() async throws {
        try await NotifyHarness.run(["SMS_PROVIDER": "twilio"]) { notify in
            let ana = try await notify.user()
            try await notify.savePreferencesConfirmingPhone(["phone": "+529991234567", "channels": ["booking.reminder": ["sms": true]]], as: ana)
            try await notify.notify(.bookingReminder, to: ana.id, data: NotificationCatalog.entries[.bookingReminder]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["sms"] == "sent" })
            let call = try #require(await notify.outside.calls(to: "/2010-04-01/Accounts/AC123/Messages.json").last)
            #expect(call.headers[.authorization] == "Basic \(Data("AC123:secret".utf8).base64EncodedString())")
            #expect(call.headers[.contentType] == "application/x-www-form-urlencoded")
            let form = Dictionary(
                uniqueKeysWithValues: call.body.split(separator: "&").map { pair in
                    let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                })
            #expect(form["To"] == "+529991234567")
            #expect(form["From"] == "+15005550006")
            #expect(form["Body"]?.hasPrefix("MayaGo: Cenote swim near Valladolid starts") == true)
        }
    }

    @Test func pushGoesThroughFCMWithAServiceAccountTokenAndForgetsGoneDevices() async throws {
        try await Self.withFCM { notify in
            let ana = try await notify.user()
            for token in ["phone-token", "old-tablet-token"] {
                _ = try await notify.send(.post, "/api/v1/notifications/devices", ["token": token, "platform": "android"], as: ana)
            }
            await notify.outside.unregister("old-tablet-token")
            try await notify.notify(.bookingConfirmed, to: ana.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample)
            try #require(try await eventually { try await notify.jobs(of: ana.id)["push"] == "sent" })
            let sends = await notify.outside.calls(to: "/v1/projects/mayago-test/messages:send")
            try #require(sends.count == 2)
            #expect(sends.allSatisfy { $0.headers[.authorization] == "Bearer ya29.test" })
            let message = Self.body(sends[0])["message"] as? [String: Any]
            #expect((message?["notification"] as? [String: Any])?["title"] as? String == "Booked: Cenote swim near Valladolid")
            // The assertion Google gets is a JWT for the service account.
            let grant = try #require(await notify.outside.calls(to: "/token").first)
            #expect(grant.body.hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey"))
            #expect(try await notify.count("SELECT count(*)::int FROM devices WHERE token = 'old-tablet-token'") == 0)
            #expect(try await notify.count("SELECT count(*)::int FROM devices WHERE token = 'phone-token'") == 1)
        }
    }

    /// A batch of several recipients' notices, whose devices and flood counts are read for all of them at once and
    /// whose inbox entries are written together: each notice reaches its own recipient's devices and inbox only.
    @Test func aBatchOfSeveralRecipientsReachesEachOnesOwnDevicesAndInbox() async throws {
        let clock = TestClock()
        try await Self.withFCM(clock: clock.clock) { notify in
            let names = ["Ana", "Luis", "Eva"]
            var people: [TestTokens.User] = []
            for name in names { people.append(try await notify.user(name: name)) }
            let devices = [["ana-phone", "ana-tablet"], ["luis-phone"], []]
            for (person, tokens) in zip(people, devices) {
                for token in tokens {
                    _ = try await notify.send(.post, "/api/v1/notifications/devices", ["token": token, "platform": "android"], as: person)
                }
            }
            // All due at once, so that one batch claims them.
            let due = clock.clock.now().addingTimeInterval(60)
            for (person, name) in zip(people, names) {
                var data = NotificationCatalog.entries[.bookingConfirmed]!.sample
                data["experienceTitle"] = .string("Tour of \(name)")
                try await notify.notify(.bookingConfirmed, to: person.id, data: data, sendAt: due)
            }
            clock.advance(by: 61)
            for person in people {
                try #require(try await eventually { try await notify.jobs(of: person.id).values.allSatisfy { $0 != "queued" && $0 != "sending" } })
            }
            var titles: [String: String] = [:]
            for send in await notify.outside.calls(to: "/v1/projects/mayago-test/messages:send") {
                let message = Self.body(send)["message"] as? [String: Any]
                titles[message?["token"] as? String ?? ""] = (message?["notification"] as? [String: Any])?["title"] as? String
            }
            #expect(
                titles == [
                    "ana-phone": "Booked: Tour of Ana", "ana-tablet": "Booked: Tour of Ana", "luis-phone": "Booked: Tour of Luis",
                ])
            #expect(try await notify.jobs(of: people[2].id) == ["email": "sent", "push": "skipped", "in_app": "sent"])
            for (person, name) in zip(people, names) {
                let inbox = try await notify.send(.get, "/api/v1/notifications", as: person).decode(InboxRoutes.InboxPage.self)
                #expect(inbox.items.map(\.title) == ["Booked: Tour of \(name)"])
            }
        }
    }

    @Test func aFailingProviderIsRetriedWithBackoffThenTheJobIsDead() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid", "NOTIFY_RETRY_BASE_MS": "100", "NOTIFY_MAX_ATTEMPTS": "3"]) { notify in
            let ana = try await notify.user()
            await notify.outside.failProviders(with: .serviceUnavailable)
            try await notify.notify(.paymentReceipt, to: ana.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample)
            #expect(try await eventually(timeout: .seconds(30)) { try await notify.jobs(of: ana.id)["email"] == "dead" })
            #expect(await notify.outside.calls(to: "/v3/mail/send").count == 3)
            let rows = try await notify.postgres.query("SELECT at FROM deliveries WHERE outcome = 'failed' ORDER BY at")
            var times: [Date] = []
            for try await at in rows.decode(Date.self) { times.append(at) }
            try #require(times.count == 3)
            // 100 ms, then 200 ms: each wait longer than the one before.
            #expect(times[1].timeIntervalSince(times[0]) >= 0.1)
            #expect(times[2].timeIntervalSince(times[1]) >= 0.2)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE status = 'dead' AND last_error LIKE 'HTTP 503%'") == 1)
        }
    }

    @Test func aRefusalIsDeadAtOnceAndAProviderThatComesBackDelivers() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid", "NOTIFY_RETRY_BASE_MS": "100"]) { notify in
            let ana = try await notify.user()
            await notify.outside.failProviders(with: .badRequest)
            try await notify.notify(.paymentReceipt, to: ana.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["email"] == "dead" })
            #expect(await notify.outside.calls(to: "/v3/mail/send").count == 1)

            let luis = try await notify.user(name: "Luis")
            await notify.outside.failProviders(with: .tooManyRequests)
            try await notify.notify(.paymentReceipt, to: luis.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample)
            #expect(await eventually { await notify.outside.calls(to: "/v3/mail/send").count >= 2 })
            await notify.outside.failProviders(with: .accepted)
            #expect(try await eventually { try await notify.jobs(of: luis.id)["email"] == "sent" })
        }
    }

    /// Notify with FCM for push, its service account's key in a file of its own while `body` runs.
    static func withFCM(clock: WallClock = .system, _ body: @Sendable (NotifyHarness) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-fcm-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = folder.appendingPathComponent("service-account.json")
        // The key file names the token endpoint: the stand-in, whose port is known once it runs.
        let prepare: @Sendable (Int) throws -> [String: String] = { port in ["FCM_CREDENTIALS": try Self.serviceAccount(at: credentials, port: port)] }
        try await NotifyHarness.run(["PUSH_PROVIDER": "fcm"], clock: clock, prepare: prepare, body)
    }

    /// A Google service account key file whose token endpoint is the stand-in.
    static func serviceAccount(at file: URL, port: Int) throws -> String {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let account: [String: Any] = [
            "type": "service_account", "project_id": "mayago-test", "client_email": "notify@mayago-test.iam.gserviceaccount.com",
            "private_key": key.pemRepresentation, "token_uri": "http://127.0.0.1:\(port)/token",
        ]
        try JSONSerialization.data(withJSONObject: account).write(to: file)
        return file.path
    }
}
