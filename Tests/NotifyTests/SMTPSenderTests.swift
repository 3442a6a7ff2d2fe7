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
                try await Self.withSender(port: port, transfers: 1) { try await sendABatch(with: $0, maildir: maildir, server: server) }
            })
    }

    /// Each worker's batch goes out beside the others', however few cores there are: the server answers no mail
    /// until a mail of every batch is in, and refuses them all (for now) if they do not come within 20 seconds.
    @Test func theBatchesOfAsManyWorkersAsItWasMadeForAreSentAtOnce() async throws {
        let batches = System.coreCount + 2
        try await withSMTPServer(
            arguments: { port, _ in ["-c", Self.barrier, String(port), String(batches)] },
            during: { port, _, server in
                #expect(await eventually(timeout: .seconds(30)) { await Self.listens(port: port) })
                let answers = try await Self.withSender(port: port, transfers: batches) { sender in
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

    /// aiosmtpd keeping mail in a Maildir, with no mailbox for `nobody@`.
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
            server = await asyncio.get_running_loop().create_server(lambda: SMTP(Refusing(sys.argv[2])), "127.0.0.1", int(sys.argv[1]))
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

    /// A sender to the server on `port` while `body` runs, its threads stopped after it whether it throws or not.
    static func withSender<T>(port: Int, transfers: Int, _ body: (SMTPSender) async throws -> T) async throws -> T {
        let sender = SMTPSender(
            url: "smtp://127.0.0.1:\(port)", from: "no-reply@mayago.example", fromName: "MayaGo", username: nil, password: nil, transfers: transfers)
        do {
            let result = try await body(sender)
            try await sender.stop()
            return result
        } catch {
            try await sender.stop()
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
