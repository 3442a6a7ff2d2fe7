import CompressNIO
import Foundation
import Contracts
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceKit

/// One request on its way through the gateway: admitted, forwarded to an instance of its owner, its answer relayed
/// back with the edge's headers (and gzip), then logged and counted. Both bodies stream: the client's is read
/// only as fast as the instance takes it, the instance's only as fast as the client takes it. A connection that
/// cannot be made counts against the instance (ejected after `ejectAfter` in a row) and, for a request without a
/// body and with an idempotent method, is tried once more on another instance. Failures before the answer
/// started are problem details: 503 when no instance is available or reachable, 504 when the instance does not
/// answer in time, 502 when its answer is broken. Lives on the client connection's event loop.
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

    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those only the gateway
    /// may set; never forwarded as they came.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "host",
    ]

    static let inspectedBodyLimit = 16 * 1024

    let head: HTTPRequest
    private let path: String
    private let route: (prefix: String, service: ServiceName)
    private let proxy: Proxy
    private let local: LoopState
    private let owner: ProxyChannelHandler
    private let peer: String?
    private let requestID: String
    private let started = ContinuousClock.now

    private var stage: Stage
    /// What came of the client's body before a connection could take it.
    private var pending: [HTTPRequestPart] = []
    private(set) var requestEnded = false
    private var admitted: Admission.Admitted?
    private var instance: UpstreamInstance?
    private var tried: Set<String> = []
    private var retriedStale = false
    private var deadline: Scheduled<Void>?
    private var upstreamStart: ContinuousClock.Instant?
    private var upstreamDuration: Duration?
    private var keepsUpstream = true
    private var compressor: ZlibCompressor?
    private var status: HTTPResponse.Status?
    private var bytes = 0

    init(head: HTTPRequest, route: (prefix: String, service: ServiceName), proxy: Proxy, local: LoopState, owner: ProxyChannelHandler, peer: String?) {
        self.head = head
        self.route = route
        self.proxy = proxy
        self.local = local
        self.owner = owner
        self.peer = peer
        path = String((head.path ?? "/").prefix { $0 != "?" })
        requestID = head.headerFields[.requestID].flatMap { RequestID.isValid($0) ? $0 : nil } ?? RequestID.make()
        stage = head.method == .post && RateLimitPolicy.isSensitive(path) ? .collecting(ByteBuffer()) : .admitting
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
        head.headerFields[values: .connection].contains { $0.lowercased().contains("close") }
    }

    /// Whether the request can be sent again elsewhere: no body, and a method that may be repeated.
    private var isReplayable: Bool {
        head.headerFields[.contentLength] == nil && head.headerFields[.transferEncoding] == nil
            && [.get, .head, .delete, .options].contains(head.method)
    }

    func start() {
        if case .admitting = stage { admit(email: nil) }
    }

    // MARK: The client's side

    func receive(_ part: HTTPRequestPart) {
        if case .end = part { requestEnded = true }
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
        if status == nil { status = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request") }
        finish()
    }

    // MARK: Admission and forwarding

    private func admit(email: String?) {
        stage = .admitting
        let client = proxy.clientAddress.resolve(peer: peer, forwardedFor: head.headerFields[.xForwardedFor])
        proxy.admission.admit(head, path: path, client: client, email: email, requestID: requestID, redis: local.redis)
            .assumeIsolated()
            .whenComplete { [self] result in
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
            connection.write(.end(nil))  // sent once already, to an instance that then failed
        }
        for part in pending { connection.write(part) }
        pending.removeAll()
        connection.flush()
        deadline = owner.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(proxy.configuration.timeout)) { [self] in
            timedOut()
        }
        owner.resumeReading()
    }

    private func unreachable(_ instance: UpstreamInstance, _ error: any Error) {
        noteUpstreamTime()
        if instance.recordFailure(ejectAfter: proxy.configuration.ejectAfter, coolDown: proxy.configuration.ejectionCoolDown) {
            log(.warning, "Ejected an upstream instance", ["upstream": .string(route.service.rawValue), "instance": .string(instance.name)])
        }
        if isReplayable, tried.count < 2 {
            log(.info, "Retrying on another instance", ["instance": .string(instance.name), "error": "\(error)"])
            return forward()
        }
        answer(Problem(.serviceUnavailable, detail: "\(route.service.rawValue) cannot be reached."))
    }

    private func timedOut() {
        guard case .forwarding(let connection) = stage, let instance else { return }
        connection.close()
        noteUpstreamTime()
        if instance.recordFailure(ejectAfter: proxy.configuration.ejectAfter, coolDown: proxy.configuration.ejectionCoolDown) {
            log(.warning, "Ejected an upstream instance", ["upstream": .string(route.service.rawValue), "instance": .string(instance.name)])
        }
        answer(Problem(.gatewayTimeout, detail: "\(route.service.rawValue) did not answer in time."))
    }

    /// The client's request as the instance gets it: less hop-by-hop headers (and those its `Connection` header
    /// names) and any `X-User-*` the client sent; plus the request id, the verified identity and `X-Forwarded-*`.
    private func forwardedHead(to instance: UpstreamInstance) -> HTTPRequest {
        let fields = head.headerFields
        let named = Self.connectionOptions(fields)
        var forwarded = HTTPFields()
        forwarded.reserveCapacity(fields.count + 6)
        for field in fields {
            let name = field.name.canonicalName
            guard !Self.hopByHop.contains(name), !named.contains(name), !name.hasPrefix("x-user-"), field.name != .requestID else { continue }
            forwarded.append(field)
        }
        if let authorization = admitted?.authorization { forwarded[.authorization] = authorization }
        forwarded[.requestID] = requestID
        if let identity = admitted?.identity {
            forwarded[.userID] = identity.userID.uuidString.lowercased()
            forwarded[.userRole] = identity.role.rawValue
        }
        if let peer {
            forwarded[.xForwardedFor] = fields[.xForwardedFor].map { "\($0), \(peer)" } ?? peer
        }
        if let host = head.authority { forwarded[.xForwardedHost] = host }
        return HTTPRequest(method: head.method, scheme: nil, authority: instance.name, path: head.path, headerFields: forwarded)
    }

    // MARK: The instance's side

    func upstreamReceived(_ part: HTTPResponsePart) {
        do {
            switch (part, stage) {
            case (.head(let response), .forwarding(let connection)):
                guard response.status.kind != .informational else { return }
                deadline?.cancel()
                instance?.recordSuccess()
                noteUpstreamTime()
                stage = .relaying(connection)
                let named = Self.connectionOptions(response.headerFields)
                keepsUpstream = !named.contains("close")
                var headers = HTTPFields()
                for field in response.headerFields where !Self.hopByHop.contains(field.name.canonicalName) && !named.contains(field.name.canonicalName) {
                    headers.append(field)
                }
                decorate(&headers)
                compressor = try proxy.gzip.prepare(&headers, status: response.status, for: head).map(ZlibCompressor.gzip)
                status = response.status
                owner.write(.head(HTTPResponse(status: response.status, headerFields: headers)))
            case (.body(let chunk), .relaying):
                let body = try compressor?.compressed(chunk) ?? chunk
                bytes += body.readableBytes
                owner.write(.body(body))
            case (.end, .relaying(let connection)):
                if let last = try compressor?.finished() {
                    bytes += last.readableBytes
                    owner.write(.body(last))
                }
                owner.write(.end(nil))
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
        if case .relaying = stage { owner.flush() }
    }

    func upstreamWritabilityChanged() {
        owner.resumeReading()
    }

    /// The instance closed the connection (or sent what is not HTTP).
    func upstreamClosed() {
        switch stage {
        case .forwarding(let connection):
            deadline?.cancel()
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
        var headers = problem.headers
        headers[.contentType] = ProblemDetails.mediaType
        var body = problem.body(requestID: requestID)
        headers[.contentLength] = String(body.readableBytes)
        decorate(&headers)
        do {
            if let compressor = try proxy.gzip.prepare(&headers, status: problem.status, for: head).map(ZlibCompressor.gzip) {
                body = try compressor.compressed(body)
                body.writeImmutableBuffer(try compressor.finished())
            }
        } catch {
            headers[values: .contentEncoding] = []
        }
        status = problem.status
        bytes = body.readableBytes
        owner.write(.head(HTTPResponse(status: problem.status, headerFields: headers)))
        owner.write(.body(body))
        owner.write(.end(nil))
        owner.flush()
        stage = .answered
        if requestEnded { finish() } else { owner.resumeReading() }
    }

    /// What every answer of the edge carries: request id, security headers, CORS, the rate limit's state.
    private func decorate(_ headers: inout HTTPFields) {
        headers[.requestID] = requestID
        proxy.security.apply(to: &headers)
        proxy.cors.apply(to: &headers, origin: head.headerFields[.origin])
        if let admitted { headers.append(contentsOf: admitted.rateLimitHeaders) }
    }

    private func finish() {
        if case .finished = stage { return }
        stage = .finished
        deadline?.cancel()
        let status = status ?? .internalServerError
        let duration = ContinuousClock.now - started
        AccessLog.record(
            proxy.logger, method: head.method, path: path, status: status, bytes: bytes, duration: duration,
            upstream: instance.map { "\(route.service.rawValue)@\($0.name)" }, upstreamDuration: upstreamDuration,
            userID: admitted?.identity?.userID.uuidString.lowercased(), requestID: requestID
        )
        local.count(route: route.prefix, method: head.method, status: status, duration: duration)
        owner.requestFinished(self)
    }

    private func noteUpstreamTime() {
        if let upstreamStart { upstreamDuration = ContinuousClock.now - upstreamStart }
    }

    private func log(_ level: Logger.Level, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        proxy.logger.log(level: level, message, metadata: metadata.merging(["requestId": .string(requestID)]) { $1 })
    }

    /// The header names a `Connection` header lists, lowercased.
    private static func connectionOptions(_ fields: HTTPFields) -> Set<String> {
        Set(fields[values: .connection].flatMap { $0.split(separator: ",") }.map { $0.trimmingOptionalWhitespace.lowercased() })
    }
}
