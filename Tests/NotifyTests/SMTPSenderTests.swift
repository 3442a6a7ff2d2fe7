import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceKit
import TestSupport
import Testing

@testable import Notify

/// A worker's batch of mails, sent in one trip over one SMTP connection to a real server (Python's aiosmtpd).
@Suite struct SMTPSenderTests {
    @Test func eachMailOfABatchIsAnsweredAloneAndNoneStartsPastTheDeadline() async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.server, String($0), $1.path] },
            during: { port, maildir, server in
                try await Self.withSender(port: port) { try await sendABatch(with: $0, maildir: maildir, server: server) }
            })
    }

    /// Each worker's batch goes out beside the others', however few cores there are: the server answers no mail
    /// until a mail of every batch is in, and refuses them all (for now) if they do not come within 20 seconds.
    @Test func theBatchesOfManyWorkersAreSentAtOnce() async throws {
        let batches = System.coreCount + 2
        try await withSMTPServer(
            arguments: { port, _ in ["-c", Self.barrier, String(port), String(batches)] },
            during: { port, _, server in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let answers = try await Self.withSender(port: port) { sender in
                    await withTaskGroup(of: [[Result<String, any Error>]?].self) { group in
                        for index in 0..<batches {
                            group.addTask {
                                await sender.send([[Self.outgoing("traveler\(index)@mayago.test", "k\(index)")]], startingBy: .distantFuture, clock: .system)
                            }
                        }
                        return await group.reduce(into: []) { $0 += $1 }
                    }
                }
                #expect(answers.count == batches)
                for answer in answers {
                    #expect(try answer?.map { try $0.get() } == ["SMTP 250"], "\(server.output())")
                }
            })
    }

    /// `smtp://` with a login: the server asks for STARTTLS before anything else and takes the login only on TLS;
    /// the mail goes, over TLS, logged in. A wrong password is refused for good, and nothing is sent.
    @Test func mailGoesOverSTARTTLSLoggedInAndAWrongPasswordIsRefusedForGood() async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.secured, String($0), $1.path] + Self.certificate },
            during: { port, maildir, server in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let trusting = "smtp://localhost:\(port)?ssl_ca_certs=\(TestEnvironment.storesAuthority)"
                let answer = try await Self.withSender(url: trusting, username: "mayago", password: "s3cret") { sender in
                    try await sender.send(Self.message, to: "ana@mayago.test", key: "k1")
                }
                #expect(answer == "SMTP 250")
                #expect(server.output().contains("delivered to ana@mayago.test over TLS as mayago"), "\(server.output())")
                let refused = try await Self.withSender(url: trusting, username: "mayago", password: "wrong") { sender in
                    await #expect(throws: SendFailure.self) { try await sender.send(Self.message, to: "ben@mayago.test", key: "k2") }
                }
                #expect(refused?.isPermanent == true, "\(String(describing: refused))")
                #expect(try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent("new").path).count == 1)
            })
    }

    /// The server's certificate is checked: one no trusted authority signed, or that names another host, stops the
    /// mail before its login or its text is sent, and may pass later (once the configuration is mended).
    @Test(arguments: ["smtp://localhost:PORT", "smtp://127.0.0.1:PORT?ssl_ca_certs=\(TestEnvironment.storesAuthority)"])
    func anUntrustedCertificateStopsTheMail(url: String) async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.secured, String($0), $1.path] + Self.certificate },
            during: { port, maildir, server in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let failure = try await Self.withSender(url: url.replacingOccurrences(of: "PORT", with: "\(port)"), username: "mayago", password: "s3cret") {
                    sender in await #expect(throws: SendFailure.self) { try await sender.send(Self.message, to: "ana@mayago.test", key: "k1") }
                }
                #expect(failure?.isPermanent == false, "\(String(describing: failure))")
                #expect(!server.output().contains("delivered"), "\(server.output())")
            })
    }

    /// A login is sent only over TLS: to a server that offers no STARTTLS (as when an attacker on the way strikes
    /// the offer out), none is sent, and the mail waits to be tried again.
    @Test func noLoginGoesInPlainText() async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.secured, String($0), $1.path] + Self.certificate + ["plain"] },
            during: { port, _, server in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let failure = try await Self.withSender(url: "smtp://localhost:\(port)", username: "mayago", password: "s3cret") { sender in
                    await #expect(throws: SendFailure.self) { try await sender.send(Self.message, to: "ana@mayago.test", key: "k1") }
                }
                #expect(failure?.isPermanent == false, "\(String(describing: failure))")
                #expect(!server.output().contains("login tried"), "\(server.output())")
                #expect(!server.output().contains("delivered"), "\(server.output())")
            })
    }

    /// A connection lost in the middle of a batch: the mails before are answered as sent, the one in progress fails
    /// for now (to be tried again), and the rest go on a new connection.
    @Test func aConnectionLostMidBatchFailsOnlyTheMailInProgress() async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.dropping, String($0), $1.path] },
            during: { port, maildir, _ in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let jobs = ["a@mayago.test", "drop@mayago.test", "c@mayago.test"].enumerated().map { [Self.outgoing($1, "k\($0)")] }
                let answers = try await Self.withSender(port: port) { await $0.send(jobs, startingBy: .distantFuture, clock: .system) }
                #expect(try answers[0]?.map { try $0.get() } == ["SMTP 250"])
                let lost = try #require(answers[1]?.first?.failure as? SendFailure)
                #expect(!lost.isPermanent, "\(lost)")
                #expect(try answers[2]?.map { try $0.get() } == ["SMTP 250"])
                let mails = try FileManager.default.contentsOfDirectory(at: maildir.appendingPathComponent("new"), includingPropertiesForKeys: nil)
                #expect(mails.count == 2)
            })
    }

    /// A kept connection the server closed while it was idle is not used again: the next mail opens a new one.
    @Test func aConnectionTheServerClosedWhileIdleIsReplaced() async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.server, String($0), $1.path, "0.3"] },
            during: { port, maildir, server in
                try await Self.withSender(port: port) { sender in
                    #expect(await eventually(timeout: .seconds(30)) { (try? await sender.send(Self.message, to: "a@mayago.test", key: "k1")) != nil })
                    try await Task.sleep(for: .seconds(1))
                    #expect(try await sender.send(Self.message, to: "b@mayago.test", key: "k2") == "SMTP 250")
                }
                #expect(try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent("new").path).count == 2)
            })
    }

    /// Each mail has the exchange time of its own, however long its batch takes: a server slow over every mail is
    /// waited for, and one that stops answering fails the mail in progress (for now) once that time is up, and the
    /// rest go on a new connection.
    @Test func eachMailHasItsOwnTimeAndOneTheServerNeverAnswersFails() async throws {
        try await withSMTPServer(
            arguments: { ["-c", Self.slow, String($0), $1.path] },
            during: { port, maildir, _ in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let addresses = ["a@mayago.test", "b@mayago.test", "c@mayago.test", "silent@mayago.test", "d@mayago.test"]
                let jobs = addresses.enumerated().map { [Self.outgoing($1, "k\($0)")] }
                let answers = try await Self.withSender(port: port, exchangeTimeout: .milliseconds(600)) {
                    await $0.send(jobs, startingBy: .distantFuture, clock: .system)
                }
                for index in [0, 1, 2, 4] { #expect(try answers[index]?.map { try $0.get() } == ["SMTP 250"], "\(addresses[index])") }
                let unanswered = try #require(answers[3]?.first?.failure as? SendFailure)
                #expect(!unanswered.isPermanent && unanswered.description.contains("no reply within 600 ms"), "\(unanswered)")
                let mails = try FileManager.default.contentsOfDirectory(at: maildir.appendingPathComponent("new"), includingPropertiesForKeys: nil)
                #expect(mails.count == 4)
            })
    }

    private func sendABatch(with sender: SMTPSender, maildir: URL, server: ChildProcess) async throws {
        // aiosmtpd listens once it answers.
        #expect(await eventually(timeout: .seconds(30)) { (try? await sender.send(Self.message, to: "first@mayago.test", key: "k0")) != nil })
        // The clock moves a second each time it is read: each job is checked once, before it starts.
        let start = Date()
        let reads = Counter()
        let clock = WallClock { start.addingTimeInterval(Double(reads.next())) }
        let jobs = [
            [Self.outgoing("a@mayago.test", "k1")],
            [Self.outgoing("nobody@mayago.test", "k2"), Self.outgoing("b@mayago.test", "k3")],
            [Self.outgoing("c@mayago.test", "k4")],
            [Self.outgoing("d@mayago.test", "k5")],
        ]
        let answers = await sender.send(jobs, startingBy: start.addingTimeInterval(2.5), clock: clock)
        #expect(answers.count == 4)
        #expect(try answers[0]?.map { try $0.get() } == ["SMTP 250"])
        // The server refuses a mailbox for good; the job's next mail, and the next job, still go.
        let refused = try #require(answers[1])
        #expect(refused.count == 2)
        #expect((refused[0].failure as? SendFailure)?.isPermanent == true, "\(server.output())")
        #expect(try refused[1].get() == "SMTP 250")
        #expect(try answers[2]?.map { try $0.get() } == ["SMTP 250"])
        #expect(answers[3] == nil)
        let mails = try FileManager.default.contentsOfDirectory(at: maildir.appendingPathComponent("new"), includingPropertiesForKeys: nil)
            .map { try String(contentsOf: $0, encoding: .utf8) }
        let recipients = mails.compactMap { $0.components(separatedBy: "X-RcptTo: ").dropFirst().first?.prefix { !$0.isNewline } }
        #expect(Set(recipients) == ["first@mayago.test", "a@mayago.test", "b@mayago.test", "c@mayago.test"])
    }

    /// aiosmtpd keeping mail in a Maildir, with no mailbox for `nobody@`; `argv[3]`: the seconds after which it
    /// closes an idle connection (300 unless given).
    static let server = """
        import asyncio, sys
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import SMTP

        class Refusing(Mailbox):
            async def handle_RCPT(self, server, session, envelope, address, options):
                if address.startswith("nobody@"):
                    return "550 5.1.1 No such mailbox"
                envelope.rcpt_tos.append(address)
                return "250 OK"

        async def main():
            timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 300
            server = await asyncio.get_running_loop().create_server(
                lambda: SMTP(Refusing(sys.argv[2]), timeout=timeout), "127.0.0.1", int(sys.argv[1]))
            await server.serve_forever()

        asyncio.run(main())
        """

    /// aiosmtpd with the test stores' certificate for `localhost` (`argv[3]`, its key `argv[4]`), that asks for
    /// STARTTLS first and takes a login (`mayago`, `s3cret`) only over TLS; it says what it delivered, and how, and
    /// each login tried. With `argv[5]` `plain`: no TLS, and a login taken in plain text.
    static let secured = """
        import asyncio, ssl, sys
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import SMTP, AuthResult

        class Saying(Mailbox):
            async def handle_DATA(self, server, session, envelope):
                answer = await super().handle_DATA(server, session, envelope)
                tls = "over TLS" if session.ssl else "in plain text"
                print("delivered to %s %s as %s" % (",".join(envelope.rcpt_tos), tls, session.auth_data.decode()), flush=True)
                return answer

        def authenticate(server, session, envelope, mechanism, data):
            print("login tried", flush=True)
            return AuthResult(success=data.login == b"mayago" and data.password == b"s3cret", handled=False, auth_data=data.login)

        async def main():
            plain = sys.argv[5:] == ["plain"]
            context = None if plain else ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            if context:
                context.load_cert_chain(sys.argv[3], sys.argv[4])
            server = await asyncio.get_running_loop().create_server(
                lambda: SMTP(Saying(sys.argv[2]), tls_context=context, require_starttls=not plain, authenticator=authenticate,
                             auth_require_tls=not plain, auth_required=True),
                "127.0.0.1", int(sys.argv[1]))
            await server.serve_forever()

        asyncio.run(main())
        """

    /// The test stores' certificate for `localhost` and its key, beside the authority that signed it.
    static var certificate: [String] {
        let folder = URL(fileURLWithPath: TestEnvironment.storesAuthority).deletingLastPathComponent()
        return ["server.pem", "server.key"].map { folder.appendingPathComponent($0).path }
    }

    /// aiosmtpd keeping mail in a Maildir that drops the connection, once, when a mail's text for `drop@` comes.
    static let dropping = """
        import asyncio, sys
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import SMTP

        class Dropping(Mailbox):
            dropped = False

            async def handle_DATA(self, server, session, envelope):
                if not Dropping.dropped and envelope.rcpt_tos == ["drop@mayago.test"]:
                    Dropping.dropped = True
                    server.transport.abort()
                    return "421 4.3.0 Gone"
                return await super().handle_DATA(server, session, envelope)

        async def main():
            server = await asyncio.get_running_loop().create_server(lambda: SMTP(Dropping(sys.argv[2])), "127.0.0.1", int(sys.argv[1]))
            await server.serve_forever()

        asyncio.run(main())
        """

    /// aiosmtpd keeping mail in a Maildir that takes a quarter of a second over each recipient, and never answers
    /// for `silent@`.
    static let slow = """
        import asyncio, sys
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import SMTP

        class Slow(Mailbox):
            async def handle_RCPT(self, server, session, envelope, address, options):
                await asyncio.sleep(3600 if address.startswith("silent@") else 0.25)
                envelope.rcpt_tos.append(address)
                return "250 OK"

        async def main():
            server = await asyncio.get_running_loop().create_server(lambda: SMTP(Slow(sys.argv[2])), "127.0.0.1", int(sys.argv[1]))
            await server.serve_forever()

        asyncio.run(main())
        """

    /// aiosmtpd that holds each mail's answer until `argv[2]` mails wait at once, then accepts them all.
    static let barrier = """
        import asyncio, sys
        from aiosmtpd.smtp import SMTP

        class Barrier:
            def __init__(self, count):
                self.count, self.waiting, self.all_in = count, 0, asyncio.Event()

            async def handle_DATA(self, server, session, envelope):
                self.waiting += 1
                if self.waiting >= self.count:
                    self.all_in.set()
                try:
                    await asyncio.wait_for(self.all_in.wait(), 20)
                    return "250 OK"
                except asyncio.TimeoutError:
                    return "451 4.3.0 Only %d of %d mails came at once" % (self.waiting, self.count)

        async def main():
            handler = Barrier(int(sys.argv[2]))
            server = await asyncio.get_running_loop().create_server(lambda: SMTP(handler), "127.0.0.1", int(sys.argv[1]))
            await server.serve_forever()

        asyncio.run(main())
        """

    /// A sender to the server on `port` while `body` runs, its connections closed after it whether it throws or not.
    static func withSender<T>(port: Int, exchangeTimeout: TimeAmount = .seconds(60), _ body: (SMTPSender) async throws -> T) async throws -> T {
        try await withSender(url: "smtp://127.0.0.1:\(port)", username: nil, password: nil, exchangeTimeout: exchangeTimeout, body)
    }

    static func withSender<T>(
        url: String, username: String?, password: String?, exchangeTimeout: TimeAmount = .seconds(60), _ body: (SMTPSender) async throws -> T
    ) async throws -> T {
        let sender = try SMTPSender(
            url: url, from: "no-reply@mayago.example", fromName: "MayaGo", username: username, password: password, exchangeTimeout: exchangeTimeout)
        do {
            let result = try await body(sender)
            await sender.stop()
            return result
        } catch {
            await sender.stop()
            throw error
        }
    }

    /// Whether a server accepts connections on `port`.
    static func listens(port: Int) async -> Bool {
        (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get().close()) != nil
    }

    static let message = RenderedMessage(subject: "Hello", text: "Hello there.", html: "<p>Hello there.</p>", short: "Hello")

    static func outgoing(_ address: String, _ key: String) -> Outgoing {
        Outgoing(message: message, address: address, key: key)
    }
}

/// Counts its calls, from any thread.
private final class Counter: Sendable {
    private let count = NIOLockedValueBox(0)

    func next() -> Int {
        count.withLockedValue { value in
            defer { value += 1 }
            return value
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
