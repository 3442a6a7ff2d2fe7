import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import ServiceKit

/// One connection to an SMTP server, ready for mail: greeted, on TLS when the server offers `STARTTLS` (or from
/// the first byte with `smtps://`), logged in when a user name is configured, and only over TLS. A batch of mails is
/// one request the event loop runs whole (``SMTPChannelHandler``). Used by one sender at a time.
final class SMTPConnection: Sendable {
    /// Where the server is and how to speak to it, from `SMTP_URL` and the login settings.
    struct Server: Sendable {
        var host: String
        var port: Int
        var implicitTLS: Bool
        var tls: NIOSSLContext
        var username: String?
        var password: String?

        /// `smtp://host[:port]` (25 by default) or `smtps://host[:port]` (465), with `?ssl_ca_certs=FILE` to trust
        /// the authorities of a PEM file instead of the system's.
        init(url: URL, username: String?, password: String?) throws {
            guard let host = url.host, !host.isEmpty else { throw ConfigurationError(variable: "SMTP_URL", expected: "a host", value: nil) }
            self.host = host
            implicitTLS = url.scheme == "smtps"
            port = url.port ?? (implicitTLS ? 465 : 25)
            var configuration = TLSConfiguration.makeClientConfiguration()
            do {
                if let file = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first(where: { $0.name == "ssl_ca_certs" })?.value {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
                }
                tls = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ConfigurationError(variable: "SMTP_URL", expected: "a readable PEM file of authorities as ssl_ca_certs", value: nil)
            }
            self.username = username
            self.password = password
        }

        /// The name the certificate must carry: the host's, unless the URL gives an address.
        var serverName: String? {
            host.first?.isNumber == true || host.contains(":") ? nil : host
        }
    }

    private let channel: any NIOCore.Channel

    private init(channel: any NIOCore.Channel) {
        self.channel = channel
    }

    var isActive: Bool { channel.isActive }

    /// Connects within `connectTimeout` and readies the session; each exchange must end within `timeout`.
    static func open(to server: Server, connectTimeout: TimeAmount, timeout: TimeAmount) async throws -> SMTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if server.implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: server.tls, serverHostname: server.serverName))
                    }
                    let greeting = channel.eventLoop.makePromise(of: SMTPAnswers.self)
                    try channel.pipeline.syncOperations.addHandler(SMTPChannelHandler(greeting: greeting, timeout: timeout))
                }
            }
            .connect(host: server.host, port: server.port)
            .get()
        let connection = SMTPConnection(channel: channel)
        do {
            try await connection.begin(with: server)
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    /// Greeting, `EHLO` (`HELO` for an old server), `STARTTLS` and `EHLO` again, then the login. The login is never
    /// sent in plain text: a server that offers no `STARTTLS` (or one whose offer was struck out on the way) gets none.
    private func begin(with server: Server) async throws {
        let greeting = try await Self.first(of: channel.pipeline.handler(type: SMTPChannelHandler.self).flatMap(\.greeting.futureResult).get())
        guard greeting.code == 220 else { throw Self.failure(greeting, "greeting") }
        var hello = try await self.hello()
        var onTLS = server.implicitTLS
        if !onTLS, hello.extensions["STARTTLS"] != nil {
            let answer = try await run(.command("STARTTLS"))
            guard answer.code == 220 else { throw Self.failure(answer, "STARTTLS") }
            // Made on the loop, as the handler is not Sendable: first in the pipeline, under the SMTP handler.
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: server.tls, serverHostname: server.serverName), position: .first)
            }.get()
            hello = try await self.hello()
            onTLS = true
        }
        guard let username = server.username else { return }
        guard onTLS else {
            throw SendFailure(isPermanent: false, description: "the SMTP server offers no STARTTLS, and MayaGo sends its login only over TLS")
        }
        try await logIn(username, server.password ?? "", offered: hello.extensions["AUTH"] ?? [])
    }

    private func hello() async throws -> SMTPReply {
        let name = Self.clientName
        let hello = try await run(.command("EHLO \(name)"))
        if hello.code == 250 { return hello }
        let old = try await run(.command("HELO \(name)"))
        guard old.code == 250 else { throw Self.failure(old, "HELO") }
        return old
    }

    /// `AUTH PLAIN` where offered, else `AUTH LOGIN` (RFC 4954).
    private func logIn(_ username: String, _ password: String, offered: [String]) async throws {
        let encoded = { (text: String) in Data(text.utf8).base64EncodedString() }
        let answer: SMTPReply
        if offered.contains("PLAIN") {
            answer = try await run(.command("AUTH PLAIN \(encoded("\0\(username)\0\(password)"))"))
        } else if offered.contains("LOGIN") {
            var step = try await run(.command("AUTH LOGIN"))
            if step.code == 334 { step = try await run(.command(encoded(username))) }
            if step.code == 334 { step = try await run(.command(encoded(password))) }
            answer = step
        } else {
            throw SendFailure(isPermanent: true, description: "the SMTP server offers no login MayaGo speaks (PLAIN or LOGIN): \(offered)")
        }
        guard answer.code == 235 else { throw Self.failure(answer, "login") }
    }

    /// Runs `request`'s exchanges (made with the promise given) one after another.
    func send(_ request: (EventLoopPromise<SMTPAnswers>) -> SMTPRequest) async -> SMTPAnswers {
        let promise = channel.eventLoop.makePromise(of: SMTPAnswers.self)
        channel.writeAndFlush(request(promise)).whenFailure { error in
            promise.succeed(SMTPAnswers(replies: [.failure(SMTPConnectionFailure(description: "not sent: \(error)"))]))
        }
        // The handler answers every request it takes, failures included.
        return (try? await promise.futureResult.get()) ?? SMTPAnswers(replies: [.failure(SMTPConnectionFailure(description: "no answer"))])
    }

    /// One command's reply.
    private func run(_ command: SMTPExchange) async throws -> SMTPReply {
        try Self.first(of: await send { SMTPRequest(command, promise: $0) })
    }

    private static func first(of answers: SMTPAnswers) throws -> SMTPReply {
        guard let answer = answers.replies.first else { throw SMTPConnectionFailure(description: "no answer") }
        return try answer.get()
    }

    /// Says goodbye, then closes.
    func quit() async {
        _ = try? await run(.command("QUIT"))
        close()
    }

    func close() {
        channel.close(promise: nil)
    }

    /// A step of the session's beginning that the server refused: 5xx for good (a refused login), else for now.
    private static func failure(_ reply: SMTPReply, _ step: String) -> SendFailure {
        SendFailure(isPermanent: reply.isPermanent, description: "\(step): \(reply.description)")
    }

    /// How `EHLO` names this machine: its host name.
    private static let clientName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "localhost" : text
    }()
}
