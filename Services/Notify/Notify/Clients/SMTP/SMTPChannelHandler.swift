import EventLoopTimers
import NIOCore

/// Exchanges for a connection to run one after another on its event loop, and the promise of their answers.
struct SMTPRequest {
    var count: Int
    /// The exchange at an index, made when the one before it is under way (a mail's text is made while the server
    /// reads the mail before).
    var exchange: @Sendable (Int) -> SMTPExchange
    /// Whether the exchange at an index begins a job; before one that does, `mayStart` is asked, and once it says
    /// no, the rest are not started.
    var beginsJob: @Sendable (Int) -> Bool
    var mayStart: @Sendable () -> Bool
    let promise: EventLoopPromise<SMTPAnswers>
}

extension SMTPRequest {
    /// One exchange, of no job.
    init(_ exchange: SMTPExchange, promise: EventLoopPromise<SMTPAnswers>) {
        self.init(count: 1, exchange: { _ in exchange }, beginsJob: { _ in false }, mayStart: { true }, promise: promise)
    }
}

/// What a request's exchanges came to, in order: all of them, or fewer when the next one might not start
/// (`stopped`) or the connection failed (then the last answer is that failure).
struct SMTPAnswers: Sendable {
    var replies: [Result<SMTPReply, any Error>]
    var stopped = false
}

/// The connection is gone, or the server said something that is not SMTP: whatever was in progress may be retried
/// on a new connection.
struct SMTPConnectionFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs one request at a time: it sends each command as the exchange in progress says, reads the replies (their lines
/// gathered until the last) and goes on to the next exchange, so that a worker's batch of mails costs its sender one
/// wait, not one for each command or mail. The greeting is waited for from the start (`greeting`). An exchange not
/// done within `timeout` closes the connection, as does anything that is not a reply.
final class SMTPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    /// The longest reply line read (RFC 5321 allows 512 bytes; a server's text may run longer).
    static let longestLine = 4096

    /// The request in progress, its exchange in progress (nil until the first starts), the one after it once made,
    /// and the answers so far.
    private var request: SMTPRequest?
    private var exchange: SMTPExchange?
    private var following: SMTPExchange?
    private var replies: [Result<SMTPReply, any Error>] = []
    private var pending = ByteBuffer()
    private var lines: [String] = []
    private var timer: DeadlineTimer?
    private let limit: TimeAmount

    /// Fulfilled by the server's greeting.
    let greeting: EventLoopPromise<SMTPAnswers>

    init(greeting: EventLoopPromise<SMTPAnswers>, timeout: TimeAmount) {
        self.greeting = greeting
        limit = timeout
        request = SMTPRequest(.greeting, promise: greeting)
        exchange = .greeting
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = DeadlineTimer(on: context.eventLoop) { [weak self] in
            guard let self else { return }
            fail(context, "no reply within \(limit.nanoseconds / 1_000_000) ms")
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer()
        context.fireChannelActive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let asked = unwrapOutboundIn(data)
        promise?.succeed(())
        guard request == nil else {
            asked.promise.succeed(SMTPAnswers(replies: [.failure(SMTPConnectionFailure(description: "a request was still in progress"))]))
            return
        }
        request = asked
        startNext(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        pending.writeBuffer(&incoming)
        while let end = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = end - pending.readerIndex
            let line = pending.readBytes(length: length + 1)!.dropLast().prefix { $0 != UInt8(ascii: "\r") }
            guard let parsed = SMTPReply.line(line) else { return fail(context, "not an SMTP reply: \(String(decoding: line.prefix(100), as: UTF8.self))") }
            lines.append(parsed.text)
            guard !parsed.more else { continue }
            let reply = SMTPReply(code: parsed.code, lines: lines)
            lines = []
            guard exchange != nil else { return fail(context, "a reply with nothing asked: \(reply.description)") }
            switch exchange!.next(after: reply) {
            case .send(let command):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: command)), promise: nil)
            case .finish(let result):
                replies.append(result.mapError { $0 as any Error })
                exchange = nil
                startNext(context)
            }
        }
        pending.discardReadBytes()
        if pending.readableBytes > Self.longestLine { fail(context, "a reply line longer than \(Self.longestLine) bytes") }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finishFailing("the server closed the connection")
        context.fireChannelInactive()
    }

    /// Also when the connection never opened: the greeting is then failed here.
    func handlerRemoved(context: ChannelHandlerContext) {
        finishFailing("the connection closed")
        timer?.cancel()
        timer = nil  // its action holds the context
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, "\(error)")
    }

    /// The request's next exchange, unless it may not start, or after the last one the request's answers.
    private func startNext(_ context: ChannelHandlerContext) {
        guard let request else { return }
        let next = replies.count
        guard next < request.count, !request.beginsJob(next) || request.mayStart() else {
            let answers = SMTPAnswers(replies: replies, stopped: next < request.count)
            end()
            request.promise.succeed(answers)
            return
        }
        exchange = following ?? request.exchange(next)
        following = nil
        if let opening = exchange?.opening { context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: opening)), promise: nil) }
        startTimer()
        if next + 1 < request.count { following = request.exchange(next + 1) }
    }

    /// The exchange starting now must end within `limit`: the timer moves rather than a task scheduled and cancelled
    /// for each exchange.
    private func startTimer() {
        timer?.set(.now() + limit)
    }

    /// Closes the connection: what was in progress fails, and the next request finds the connection closed.
    private func fail(_ context: ChannelHandlerContext, _ reason: String) {
        finishFailing(reason)
        context.close(promise: nil)
    }

    /// Ends the request in progress with the answers it had and this failure.
    private func finishFailing(_ reason: String) {
        guard let request else { return end() }
        replies.append(.failure(SMTPConnectionFailure(description: reason)))
        let answers = SMTPAnswers(replies: replies)
        end()
        request.promise.succeed(answers)
    }

    private func end() {
        timer?.set(nil)
        request = nil
        exchange = nil
        following = nil
        replies = []
    }
}
