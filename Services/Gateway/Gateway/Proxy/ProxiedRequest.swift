import CompressNIO
import Contracts
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import ServiceKit
import Tracing

/// One request on its way through the gateway: admitted, forwarded to an instance of its owner, its answer relayed
/// back with the edge's headers (and gzip), then logged and counted. Both bodies stream: the client's is read
/// only as fast as the instance takes it, the instance's only as fast as the client takes it. A connection that
/// cannot be made counts against the instance (ejected after `ejectAfter` in a row) and, for a request without a
/// body and with an idempotent method, is tried once more on another instance. Failures before the answer
/// started are problem details: 503 when no instance is available or reachable, 504 when the instance does not
/// answer in time, 502 when its answer is broken. Lives on the client connection's event loop, and speaks HTTP/1 as
/// NIO parses it on both sides: headers are relayed as they came, never turned into HTTPTypes' fields and back.
final class ProxiedRequest {
    private enum Stage {
        /// Reading a sensitive route's small body, whose `email` the rate limit needs.
        case collecting(ByteBuffer)
        case admitting
        case connecting
        /// Sent to the instance, which has not answered yet.
        case forwarding(UpstreamConnection)
        /// The answer's head went to the client; its body follows.
        case relaying(UpstreamConnection)
        /// The answer is complete; what remains of the client's body is read and dropped.
        case answered
        case finished
    }

    static let inspectedBodyLimit = 16 * 1024

    let head: HTTPRequestHead
    /// The method as HTTPTypes names it, for the access rules, the log and the metrics.
    private let method: HTTPRequest.Method
    private let edgeRequest: EdgePolicy.Request
    private let route: Proxy.Route
    private let proxy: Proxy
    private let local: LoopState
    private let owner: ProxyChannelHandler
    private let peer: String?
    private let requestID: String
    private let started = ContinuousClock.now
    /// The request's span, when requests are traced: it continues the client's `traceparent` if one came.
    private let span: (any Span)?

    private var stage: Stage
    /// What came of the client's body before a connection could take it.
    private var pending: [HTTPServerRequestPart] = []
    private(set) var requestEnded = false
    private var admitted: Admission.Admitted?
    /// The client's address as resolved for the rate limit (honouring trusted proxies), sealed for the instance.
    private var client: String?
    private var instance: UpstreamInstance?
    private var tried: Set<String> = []
    private var retriedStale = false
    private var upstreamStart: ContinuousClock.Instant?
    private var upstreamDuration: Duration?
    private var keepsUpstream = true
    /// The answer on its way when it is gzipped here.
    private var gzip: GzipRelay?
    private var status: HTTPResponseStatus?
    private var bytes = 0

    init(head: HTTPRequestHead, route: Proxy.Route, proxy: Proxy, local: LoopState, owner: ProxyChannelHandler, peer: String?) {
        self.head = head
        method = HTTPRequest.Method(rawValue: head.method.rawValue) ?? .get
        self.route = route
        self.proxy = proxy
        self.local = local
        self.owner = owner
        self.peer = peer
        edgeRequest = EdgePolicy.Request(head)
        requestID = head.headers.first(name: "x-request-id").flatMap { RequestID.isValid($0) ? $0 : nil } ?? RequestID.make()
        stage = head.method == .POST && RateLimitPolicy.isSensitive(route.path) ? .collecting(ByteBuffer()) : .admitting
        span = proxy.configuration.traces ? Self.span(for: head, route: route, requestID: requestID) : nil
    }

    private static func span(for head: HTTPRequestHead, route: Proxy.Route, requestID: String) -> any Span {
        let span = Tracing.startSpan("\(head.method.rawValue) \(route.prefix)", context: TraceContextHeaders.context(from: head.headers), ofKind: .server)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = head.method.rawValue
            attributes["url.path"] = route.path
            attributes["http.request.header.x_request_id"] = requestID
            attributes["mayago.upstream"] = route.service.rawValue
        }
        return span
    }

    /// Whether the client's body should be read now.
    var wantsInput: Bool {
        switch stage {
        case .collecting, .answered, .finished: true
        // Only what follows the request (a pipelined one, which waits) could be read: no need to hold the socket.
        case .admitting, .connecting: requestEnded
        case .forwarding(let connection), .relaying(let connection): connection.isWritable
        }
    }

    /// Whether the client asked to close the connection after this answer.
    var closesConnection: Bool {
        !head.isKeepAlive
    }

    /// Whether the request can be sent again elsewhere: no body, and a method that may be repeated.
    private var isReplayable: Bool {
        !head.headers.contains(name: "content-length") && !head.headers.contains(name: "transfer-encoding")
            && [.GET, .HEAD, .DELETE, .OPTIONS].contains(head.method)
    }

    func start() {
        if case .admitting = stage { admit(email: nil) }
    }

    // MARK: The client's side

    func receive(_ part: HTTPServerRequestPart) {
        if case .end = part { requestEnded = true }
        // A TRACE's body is read and dropped: it has no framing upstream (see ForwardedHead).
        if case .body = part, head.method == .TRACE { return }
        switch stage {
        case .collecting(var body):
            switch part {
            case .head: return
            case .body(let chunk):
                guard body.readableBytes + chunk.readableBytes <= Self.inspectedBodyLimit else {
                    return answer(Problem(.contentTooLarge, detail: "The body is too large for this route."))
                }
                body.writeImmutableBuffer(chunk)
                stage = .collecting(body)
            case .end:
                pending = (body.readableBytes > 0 ? [.body(body)] : []) + [part]
                admit(email: Admission.email(in: body))
            }
        case .admitting, .connecting:
            pending.append(part)
        case .forwarding(let connection), .relaying(let connection):
            connection.write(part)
            connection.flush()
        case .answered:
            if requestEnded { finish() }
        case .finished:
            return
        }
    }

    func clientWritabilityChanged(isWritable: Bool) {
        if case .relaying(let connection) = stage { connection.setReading(isWritable) }
    }

    func clientClosed() {
        switch stage {
        case .forwarding(let connection), .relaying(let connection): connection.close()
        case .finished: return
        default: break
        }
        if status == nil { status = .custom(code: 499, reasonPhrase: "Client Closed Request") }
        finish()
    }

    // MARK: Admission and forwarding

    private func admit(email: String?) {
        stage = .admitting
        let forwardedFor = head.headers[canonicalForm: "x-forwarded-for"].joined(separator: ",")
        let client = proxy.clientAddress.resolve(peer: peer, forwardedFor: forwardedFor.isEmpty ? nil : forwardedFor)
        self.client = client
        let request = Admission.Request(method: method, target: route.target, path: route.path, authorization: head.headers.first(name: "authorization"))
        proxy.admission.admit(request, client: client, email: email, requestID: requestID, on: local) { [self] result in
            guard case .admitting = stage else { return }
            switch result {
            case .success(let admitted):
                self.admitted = admitted
                forward()
            case .failure(let problem as Problem):
                answer(problem)
            case .failure(let error):
                log(.error, "Cannot admit a request", ["error": "\(error)"])
                answer(.internalError)
            }
        }
    }

    private func forward() {
        let service = route.service
        guard let pool = proxy.pools[service] else {
            return answer(Problem(.serviceUnavailable, detail: "No instance of \(service.rawValue) is configured."))
        }
        guard let instance = pool.pick(excluding: tried) else {
            return answer(Problem(.serviceUnavailable, detail: "No healthy instance of \(service.rawValue) is available."))
        }
        tried.insert(instance.name)
        self.instance = instance
        upstreamStart = .now
        stage = .connecting
        local.connections.connection(to: instance) { [self] result in
            guard case .connecting = stage else {
                if case .success(let connection) = result { local.connections.giveBack(connection, to: instance) }
                return
            }
            switch result {
            case .success(let connection): send(on: connection, to: instance)
            case .failure(let error): unreachable(instance, error)
            }
        }
    }

    private func send(on connection: UpstreamConnection, to instance: UpstreamInstance) {
        connection.request = self
        stage = .forwarding(connection)
        connection.write(.head(forwardedHead(to: instance)))
        if pending.isEmpty, requestEnded {
            connection.write(HTTPServerRequestPart.end(nil))  // sent once already, to an instance that then failed
        }
        for part in pending { connection.write(part) }
        pending.removeAll()
        connection.flush()
        owner.answerDue(.now() + TimeAmount(proxy.configuration.timeout))
        owner.resumeReading()
    }

    private func unreachable(_ instance: UpstreamInstance, _ error: any Error) {
        failed(instance)
        if isReplayable, tried.count < 2 {
            log(.info, "Retrying on another instance", ["instance": .string(instance.name), "error": "\(error)"])
            return forward()
        }
        answer(Problem(.serviceUnavailable, detail: "\(route.service.rawValue) cannot be reached."))
    }

    /// Counts a failure against `instance`, which ejects it after `ejectAfter` in a row.
    private func failed(_ instance: UpstreamInstance) {
        noteUpstreamTime()
        if instance.recordFailure(ejectAfter: proxy.configuration.ejectAfter, coolDown: proxy.configuration.ejectionCoolDown) {
            log(.warning, "Ejected an upstream instance", ["upstream": .string(route.service.rawValue), "instance": .string(instance.name)])
        }
    }

    func timedOut() {
        guard case .forwarding(let connection) = stage, let instance else { return }
        connection.close()
        failed(instance)
        answer(Problem(.gatewayTimeout, detail: "\(route.service.rawValue) did not answer in time."))
    }

    /// The client's request as the instance gets it.
    private func forwardedHead(to instance: UpstreamInstance) -> HTTPRequestHead {
        var forwarded = ForwardedHead(
            requestID: requestID, authorization: admitted?.authorization ?? head.headers.first(name: "authorization"), peer: peer,
            sealedClient: client.map { proxy.clientSeal.seal($0, requestID: requestID) }
        )
        if let identity = admitted?.identity, let userID = admitted?.userID { forwarded.user = (userID, identity.role.rawValue) }
        if let span { forwarded.trace = TraceContextHeaders.headers(for: span.context) }
        return forwarded.head(of: head, to: route.target, on: instance.name)
    }

    // MARK: The instance's side

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        do {
            switch (part, stage) {
            case (.head(let response), .forwarding(let connection)):
                guard !(100..<200).contains(response.status.code) else { return }
                owner.answerDue(nil)
                instance?.recordSuccess()
                noteUpstreamTime()
                stage = .relaying(connection)
                keepsUpstream = response.isKeepAlive
                let (headers, gzip) = proxy.edge.answer(response.headers, status: response.status, to: edgeRequest, adding: edgeHeaders)
                status = response.status
                let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
                if let gzip {
                    self.gzip = GzipRelay(compressor: try local.compressor(gzip), configuration: gzip, head: head)
                } else {
                    owner.write(.head(head))
                }
            case (.body(var chunk), .relaying):
                if gzip == nil {
                    bytes += chunk.readableBytes
                    owner.write(.body(.byteBuffer(chunk)))
                } else {
                    gzip?.append(&chunk)
                }
            case (.end, .relaying(let connection)):
                if let (head, last) = try gzip?.endOfAnswer() {
                    bytes += last.readableBytes
                    if let head { owner.write(.head(head)) }
                    owner.write(.body(.byteBuffer(last)))
                }
                owner.write(.end(nil))  // trailers, which HTTP/1.1 answers hardly use, are not relayed
                owner.flush()
                if requestEnded, keepsUpstream, let instance {
                    local.connections.giveBack(connection, to: instance)
                } else {
                    connection.close()
                }
                stage = .answered
                if requestEnded { finish() } else { owner.resumeReading() }
            default:
                return
            }
        } catch {
            log(.warning, "Cannot compress an answer", ["error": "\(error)"])
            owner.closeConnection()
        }
    }

    func upstreamReadComplete() {
        guard case .relaying = stage else { return }
        do {
            if let (head, body) = try gzip?.endOfRead() {
                if let head { owner.write(.head(head)) }
                if let body {
                    bytes += body.readableBytes
                    owner.write(.body(.byteBuffer(body)))
                }
            }
        } catch {
            log(.warning, "Cannot compress an answer", ["error": "\(error)"])
            return owner.closeConnection()
        }
        owner.flush()
    }

    func upstreamWritabilityChanged() {
        owner.resumeReading()
    }

    /// The instance closed the connection (or sent what is not HTTP).
    func upstreamClosed() {
        switch stage {
        case .forwarding(let connection):
            owner.answerDue(nil)
            // An idle connection the instance closed just as it was reused: once more on a new one.
            if connection.isReused, isReplayable, !retriedStale, let instance {
                retriedStale = true
                tried.remove(instance.name)
                return forward()
            }
            noteUpstreamTime()
            log(.warning, "Upstream answer broken", ["upstream": .string(route.service.rawValue)])
            answer(Problem(.badGateway, detail: "\(route.service.rawValue) gave no valid answer."))
        case .relaying:
            // The answer was cut short; the client can only learn it from the connection closing.
            owner.closeConnection()
        default:
            return
        }
    }

    // MARK: Answering

    private func answer(_ problem: Problem) {
        var fields = HTTPHeaders(problem.headers)
        fields.replaceOrAdd(name: "Content-Type", value: ProblemDetails.mediaType)
        var body = problem.body(requestID: requestID)
        fields.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        let status = HTTPResponseStatus(statusCode: problem.status.code)
        var (headers, gzip) = proxy.edge.answer(fields, status: status, to: edgeRequest, adding: edgeHeaders)
        if let gzip {
            do {
                body = try ZlibCompressor.gzip(gzip).finished(body)
            } catch {
                var plain = edgeRequest
                plain.acceptsGzip = false
                headers = proxy.edge.answer(fields, status: status, to: plain, adding: edgeHeaders).headers
            }
        }
        self.status = status
        bytes = body.readableBytes
        owner.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        owner.write(.body(.byteBuffer(body)))
        owner.write(.end(nil))
        owner.flush()
        stage = .answered
        if requestEnded { finish() } else { owner.resumeReading() }
    }

    /// What the gateway adds to every answer besides the edge's policy: the request id, the rate limit's state.
    private var edgeHeaders: HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(4)
        headers.add(name: "X-Request-Id", value: requestID)
        admitted?.rateLimit.appendHeaders(to: &headers)
        return headers
    }

    private func finish() {
        if case .finished = stage { return }
        stage = .finished
        owner.answerDue(nil)
        if let gzip { local.giveBack(gzip.compressor, gzip.configuration) }
        gzip = nil
        let status = HTTPResponse.Status(code: Int((status ?? .internalServerError).code))
        let duration = ContinuousClock.now - started
        AccessLog.record(
            proxy.logger, method: method, path: route.path, status: status, bytes: bytes, duration: duration,
            upstream: instance?.label, upstreamDuration: upstreamDuration,
            userID: admitted?.userID, requestID: requestID
        )
        local.count(route: route.prefix, method: method, status: status, duration: duration)
        if let span {
            span.attributes["http.response.status_code"] = Int(status.code)
            if status.code >= 500 { span.setStatus(.init(code: .error)) }
            span.end()
        }
        owner.requestFinished(self)
    }

    private func noteUpstreamTime() {
        if let upstreamStart { upstreamDuration = ContinuousClock.now - upstreamStart }
    }

    private func log(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        proxy.logger.log(level: level, message, metadata: metadata.merging(["requestId": .string(requestID)]) { $1 })
    }
}
