import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Notify

@Suite struct WorkerTests {
    @Test func twoInstancesWithTwoWorkersEachSendEveryJobOnce() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid", "NOTIFY_WORKERS": "2", "NOTIFY_RATE_LIMIT_PER_HOUR": "1000"]) { notify in
            // A second instance on the same schema, as `--scale notify=2` runs it.
            let second = try await buildApplication(configuration: notify.configuration)
            try await second.test(.router) { _ in
                let ana = try await notify.user()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<40 {
                        group.addTask {
                            try await notify.notify(
                                .paymentReceipt, to: ana.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample, key: "receipt:\(index)")
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(
                    try await eventually(timeout: .seconds(30)) {
                        try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'sent'") == 40
                    })
                let keys = await notify.outside.calls(to: "/v3/mail/send").compactMap {
                    ((try? JSONSerialization.jsonObject(with: Data($0.body.utf8))) as? [String: Any]).flatMap {
                        ($0["custom_args"] as? [String: String])?["delivery_key"]
                    }
                }
                #expect(keys.count == 40)
                #expect(Set(keys).count == 40)
                #expect(try await notify.count("SELECT count(*)::int FROM deliveries WHERE provider = 'sendgrid'") == 40)
            }
        }
    }

    @Test func aBatchIsClaimedInDueOrderWithPreferencesAndWhatIsReleasedIsAsNeverClaimed() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid"]) { notify in
            let ana = try await notify.user()
            _ = try await notify.send(.put, "/api/v1/notifications/preferences", ["language": "es"], as: ana)
            // Due in one to five hours, out of order: the running workers leave them be. Their two jobs or more each are
            // more than a batch.
            let now = Date()
            let notices = JobClaim.batch / 2 + 1
            // Every index once, in a scrambled order whatever the batch's size.
            let scrambled = (0..<notices).sorted { (($0 * 37) % 101, $0) < (($1 * 37) % 101, $1) }
            for hours in scrambled.map({ 1 + 4 * Double($0) / Double(notices) }) {
                let accepted = try await notify.notify(
                    .paymentReceipt, to: ana.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample, sendAt: now.addingTimeInterval(hours * 3600))
                #expect(accepted.status == .accepted)
            }
            let queued = "SELECT count(*)::int FROM jobs WHERE status = 'queued' AND attempts = 0 AND locked_until IS NULL"
            let waiting = try await notify.count(queued)
            #expect(waiting >= 2 * notices)  // email and in-app at least, for each
            let jobs = Jobs(postgres: notify.postgres, logger: Logger(label: "test"))
            let claimed = try await jobs.claim(now: now.addingTimeInterval(6 * 3600), lease: .seconds(60))
            #expect(claimed.count == JobClaim.batch)
            #expect(claimed.allSatisfy { $0.preferences.language == "es" && $0.attempts == 1 })
            var due: [UUID: Date] = [:]
            for try await (id, runAt) in try await notify.postgres.query("SELECT id, run_at FROM jobs WHERE status <> 'skipped'").decode((UUID, Date).self) {
                due[id] = runAt
            }
            let order = claimed.map { due[$0.id]! }
            #expect(order == order.sorted())
            #expect(order.last! <= due.values.sorted()[JobClaim.batch - 1])

            try await jobs.release(claimed.map(\.id))
            #expect(try await notify.count(queued) == waiting)
        }
    }

    @Test(arguments: [true, false])
    func aBatchsRecipientsAreAskedOfAuthTogether(authAnswersBatches: Bool) async throws {
        // One worker: two would each lock part of the jobs due together.
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid", "NOTIFY_WORKERS": "1"]) { notify in
            if !authAnswersBatches { await notify.outside.withoutContactBatches() }
            var recipients: Set<UUID> = []
            for name in ["Ana", "Luis", "Marta", "Pablo"] { recipients.insert(try await notify.user(name: name).id) }
            // Due together in a moment: the worker claims them in one batch.
            let due = Date().addingTimeInterval(3)
            for recipient in recipients {
                let accepted = try await notify.notify(.passwordChanged, to: recipient, data: ["name": "Ana"], sendAt: due)
                #expect(accepted.status == .accepted)
            }
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'sent'") == 4
                })
            let lookups = await notify.outside.contactLookups
            #expect(Set(lookups.joined()) == recipients)
            // One call for the batch; an Auth without that route is asked for each (the batch's refusal is not a lookup).
            #expect(lookups.map(\.count).sorted() == (authAnswersBatches ? [4] : [1, 1, 1, 1]), "\(lookups)")
        }
    }

    @Test func aBatchEndsInOneStatementEachJobAsItWent() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid"]) { notify in
            let ana = try await notify.user()
            // Due in an hour: the running workers leave them be.
            let later = Date().addingTimeInterval(3600)
            for _ in 0..<2 {
                _ = try await notify.notify(.paymentReceipt, to: ana.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample, sendAt: later)
            }
            let queued = try await notify.count("SELECT count(*)::int FROM jobs WHERE status = 'queued'")
            let jobs = Jobs(postgres: notify.postgres, logger: Logger(label: "test"))
            let at = later.addingTimeInterval(1)
            let claimed = try await jobs.claim(now: at, lease: .seconds(60))
            try #require(claimed.count >= 3)
            let ended = await jobs.finish([
                Jobs.End(job: claimed[0], outcome: .sent, deliveries: [Jobs.Delivery(provider: "sendgrid", answer: "202 Accepted", at: at)], at: at),
                Jobs.End(job: claimed[1], outcome: .skipped, error: "turned_off", at: at),
                Jobs.End(job: claimed[2], outcome: .dead, error: "no_template", at: at),
            ])
            #expect(ended.map(\.job.id) == claimed.prefix(3).map(\.id))

            var written: [UUID: String] = [:]
            let rows = try await notify.postgres.query(
                "SELECT id, status || ':' || coalesce(last_error, '-') FROM jobs WHERE finished_at = \(at) AND locked_until IS NULL")
            for try await (id, end) in rows.decode((UUID, String).self) { written[id] = end }
            #expect(written == [claimed[0].id: "sent:-", claimed[1].id: "skipped:turned_off", claimed[2].id: "dead:no_template"])
            #expect(
                try await notify.count(
                    "SELECT count(*)::int FROM deliveries WHERE job_id = '\(claimed[0].id)' AND attempt = 1 AND answer = '202 Accepted'") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM deliveries") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE status = 'queued'") == queued - claimed.count)
        }
    }

    @Test func anEndPostgreSQLRefusesFailsAloneAndTheOthersAreRecorded() async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid"]) { notify in
            let ana = try await notify.user()
            let later = Date().addingTimeInterval(3600)
            _ = try await notify.notify(.paymentReceipt, to: ana.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample, sendAt: later)
            let jobs = Jobs(postgres: notify.postgres, logger: Logger(label: "test"))
            let at = later.addingTimeInterval(1)
            let claimed = try await jobs.claim(now: at, lease: .seconds(60))
            try #require(claimed.count >= 2)
            // A text with U+0000, which PostgreSQL cannot keep, refuses the statement that ends both.
            let ended = await jobs.finish([
                Jobs.End(job: claimed[0], outcome: .sent, deliveries: [Jobs.Delivery(provider: "sendgrid", answer: "202 Accepted", at: at)], at: at),
                Jobs.End(job: claimed[1], outcome: .dead, error: "bad\u{0}answer", at: at),
            ])
            #expect(ended.map(\.job.id) == [claimed[0].id])
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE id = '\(claimed[0].id)' AND status = 'sent'") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE id = '\(claimed[1].id)' AND status = 'sending'") == 1)
            #expect(try await notify.count("SELECT count(*)::int FROM deliveries") == 1)
        }
    }

    @Test func aJobIsNotStartedOnceItsLeaseIsTooShortAndGoesBackToTheQueue() async throws {
        // The clock moves two minutes, past a lease of one, each time SendGrid is called: of a batch, only the first
        // mail may start; the others go back to the queue with their attempt given back, and go in batches of their own.
        let time = TestClock()
        try await NotifyHarness.run(["EMAIL_PROVIDER": "sendgrid", "NOTIFY_WORKERS": "1"], clock: time.clock) { notify in
            await notify.outside.whenCalled { time.advance(by: 120) }
            let later = Date().addingTimeInterval(3600)
            for name in ["Ana", "Ben", "Cy"] {
                let user = try await notify.user(name: name)
                _ = try await notify.notify(.paymentReceipt, to: user.id, data: NotificationCatalog.entries[.paymentReceipt]!.sample, sendAt: later)
            }
            time.advance(by: 3601)
            #expect(try await eventually { try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND status = 'sent'") == 3 })
            #expect(await notify.outside.calls(to: "/v3/mail/send").count == 3)
            #expect(try await notify.count("SELECT count(*)::int FROM jobs WHERE channel = 'email' AND attempts = 1") == 3)
            // Each in a batch of its own, begun after the clock moved past the batch before.
            #expect(try await notify.count("SELECT extract(epoch FROM max(finished_at) - min(finished_at))::int FROM jobs WHERE channel = 'email'") >= 239)
        }
    }

    @Test func mailReachesARealSMTPServer() async throws {
        // Python's aiosmtpd, keeping what it receives in a Maildir.
        try await withSMTPServer(
            arguments: { ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\($0)", "-c", "aiosmtpd.handlers.Mailbox", $1.path] },
            during: { try await deliverToSMTP(port: $0, maildir: $1, server: $2) })
    }

    @Test func mailsOneAfterAnotherShareOneSMTPConnection() async throws {
        // Debugging on, aiosmtpd logs each connection it takes as "Peer: (address, port)".
        let server = try await withSMTPServer(
            arguments: { ["-m", "aiosmtpd", "-n", "-d", "-l", "127.0.0.1:\($0)", "-c", "aiosmtpd.handlers.Mailbox", $1.path] },
            during: { port, _, server in
                try await NotifyHarness.run(["EMAIL_PROVIDER": "smtp", "SMTP_URL": "smtp://127.0.0.1:\(port)"]) { notify in
                    for sent in 1...3 {
                        let user = try await notify.user(name: "Guest\(sent)")
                        _ = try await notify.notify(.bookingConfirmed, to: user.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample)
                        let delivered = try await eventually(timeout: .seconds(30)) {
                            try await notify.count("SELECT count(*)::int FROM deliveries WHERE provider = 'smtp' AND answer = 'SMTP 250'") == sent
                        }
                        #expect(delivered, "\(server.output())")
                    }
                }
            })
        let connections = server.output(lastLines: 1000).components(separatedBy: "Peer: ").count - 1
        #expect(connections == 1, "\(server.output())")
    }

    private func deliverToSMTP(port: Int, maildir: URL, server: ChildProcess) async throws {
        try await NotifyHarness.run(["EMAIL_PROVIDER": "smtp", "SMTP_URL": "smtp://127.0.0.1:\(port)", "NOTIFY_RETRY_BASE_MS": "200"]) { notify in
            let ana = try await notify.user()
            _ = try await notify.send(.put, "/api/v1/notifications/preferences", ["language": "es"], as: ana)
            try await notify.notify(.bookingConfirmed, to: ana.id, data: NotificationCatalog.entries[.bookingConfirmed]!.sample)
            #expect(try await eventually(timeout: .seconds(30)) { try await notify.jobs(of: ana.id)["email"] == "sent" }, "\(server.output())")
            let files = try FileManager.default.contentsOfDirectory(at: maildir.appendingPathComponent("new"), includingPropertiesForKeys: nil)
            #expect(files.count == 1)
            let mail = try String(contentsOf: try #require(files.first), encoding: .utf8)
            #expect(mail.contains("X-RcptTo: ana-"))
            #expect(mail.contains("X-MailFrom: no-reply@mayago.example"))
            #expect(mail.contains("Subject: Reservado: Cenote swim near Valladolid"))
            let key = try #require(try await notify.postgres.query("SELECT id FROM jobs WHERE channel = 'email'").decode(UUID.self).first { _ in true })
            #expect(mail.contains("Message-ID: <\(key.uuidString.lowercased())@mayago>"))
            // The text part, decoded, is the Spanish text.
            let text = mail.components(separatedBy: "Content-Type: text/plain; charset=utf-8")[1]
                .components(separatedBy: "\n\n")[1].components(separatedBy: "--mayago-")[0]
            let decoded = String(decoding: Data(base64Encoded: text.filter { !$0.isWhitespace }) ?? Data(), as: UTF8.self)
            #expect(decoded.contains("Tu reserva está confirmada."))
            #expect(try await notify.count("SELECT count(*)::int FROM deliveries WHERE provider = 'smtp' AND answer = 'SMTP 250'") == 1)
        }
    }
}
