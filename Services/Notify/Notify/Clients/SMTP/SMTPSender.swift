import Foundation
import NIOConcurrencyHelpers
import NIOCore
import ServiceKit
import ServiceLifecycle

/// Email through an SMTP server on SwiftNIO (``SMTPConnection``): STARTTLS whenever the server offers it
/// (`smtp://`), TLS from the first byte with `smtps://`, a login when a user name is configured. A worker's batch
/// goes out on one connection, a mail after another, all its commands and replies run on the event loop with one
/// wait for its sender. Connections stay open between batches, as many as batches went out at once: the next mail
/// is only its `MAIL FROM`, `RCPT TO` and `DATA`, with no new TCP, TLS, greeting or login. As a service, it says
/// goodbye on its idle connections once the services listed after it (the workers) have stopped.
struct SMTPSender: Sender, Service {
    let from: String
    let fromName: String
    private let server: SMTPConnection.Server
    private let idle = NIOLockedValueBox<[SMTPConnection]>([])
    var name: String { "smtp" }

    static let connectTimeout = TimeAmount.seconds(10)
    /// For each step of the session's beginning, and for a mail from its `MAIL FROM` to the server's last reply.
    let exchangeTimeout: TimeAmount

    init(url: String, from: String, fromName: String, username: String?, password: String?, exchangeTimeout: TimeAmount = .seconds(60)) throws {
        guard let url = URL(string: url) else { throw ConfigurationError(variable: "SMTP_URL", expected: "a URL", value: url) }
        server = try SMTPConnection.Server(url: url, username: username, password: password)
        self.from = from
        self.fromName = fromName
        self.exchangeTimeout = exchangeTimeout
    }

    func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }

    /// Says goodbye on the idle connections and closes them.
    func stop() async {
        let connections = idle.withLockedValue { idle in
            defer { idle = [] }
            return idle
        }
        for connection in connections { await connection.quit() }
    }

    func send(_ message: RenderedMessage, to address: String, key: String) async throws -> String {
        let answers = await send([[Outgoing(message: message, address: address, key: key)]], startingBy: .distantFuture, clock: .system)
        guard let job = answers.first ?? nil, let answer = job.first else { throw SendFailure(isPermanent: false, description: "not sent: cancelled") }
        return try answer.get()
    }

    /// The batch's mails go out on one connection in one request to its event loop; if the connection fails, the mail
    /// in progress fails (it may pass later) and the rest go on a new one.
    func send(_ jobs: [[Outgoing]], startingBy deadline: Date, clock: WallClock) async -> [[Result<String, any Error>]?] {
        guard !Task.isCancelled else { return jobs.map { _ in nil } }
        let mails = jobs.flatMap(\.self)
        let beginsJob = jobs.flatMap { job in job.indices.map { $0 == 0 } }
        var answers: [Result<String, any Error>] = []
        var stopped = false
        while answers.count < mails.count, !stopped {
            let connection: SMTPConnection
            do {
                connection = try await take()
            } catch {
                // No connection to be had: the rest fail alike, to be tried again later.
                answers += Array(repeating: .failure(Self.failure(error)), count: mails.count - answers.count)
                break
            }
            let (rest, mail) = (answers.count, self.mail)
            let sent = await connection.send { promise in
                SMTPRequest(
                    count: mails.count - rest, exchange: { mail(mails[rest + $0]) }, beginsJob: { beginsJob[rest + $0] },
                    mayStart: { clock.now() <= deadline }, promise: promise)
            }
            answers += sent.replies.map { $0.map { "SMTP \($0.code)" }.mapError(Self.failure) }
            stopped = sent.stopped
            if case .failure(let failure) = sent.replies.last, failure is SMTPConnectionFailure {
                connection.close()
            } else {
                giveBack(connection)
            }
        }
        var remaining = answers[...]
        return jobs.map { job in
            guard remaining.count >= job.count else { return nil }
            defer { remaining = remaining.dropFirst(job.count) }
            return Array(remaining.prefix(job.count))
        }
    }

    private func mail(_ outgoing: Outgoing) -> SMTPExchange {
        let text = MIMEMessage(from: from, fromName: fromName, to: outgoing.address, message: outgoing.message, key: outgoing.key, date: Date()).bytes
        return .mail(from: from, to: outgoing.address, message: text)
    }

    /// A refusal is the server's answer (5xx for good), as is a session's beginning that decided already (a refused
    /// login); a failed connection may pass later.
    private static func failure(_ error: any Error) -> any Error {
        if let refusal = error as? SMTPExchange.Refusal { return SendFailure(isPermanent: refusal.reply.isPermanent, description: refusal.reply.description) }
        if let decided = error as? SendFailure { return decided }
        return SendFailure(isPermanent: false, description: "SMTP: \(error)")
    }

    /// An idle connection still open, or a new one.
    private func take() async throws -> SMTPConnection {
        while let kept = idle.withLockedValue({ $0.popLast() }) {
            if kept.isActive { return kept }
            kept.close()
        }
        return try await SMTPConnection.open(to: server, connectTimeout: Self.connectTimeout, timeout: exchangeTimeout)
    }

    private func giveBack(_ connection: SMTPConnection) {
        guard connection.isActive else { return }
        idle.withLockedValue { $0.append(connection) }
    }
}
