import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceKit

/// Forwards a request to an instance of the owning service and streams the answer back, both bodies without
/// buffering, except bodies of a known length up to ``bufferedBodyLimit``, which (as nginx's `client_body_buffer_size`
/// and `proxy_buffers` do) are passed whole: for the usual small JSON body that saves an asynchronous stream
/// with its back-pressure on each side. A connection that cannot be made counts against the instance (ejected after
/// `ejectAfter` in a row) and, for a request without a body and with an idempotent method, is tried once more on
/// another instance. Failures become problem details: 503 when no instance is available or reachable, 504 when
/// the instance does not answer in time, 502 when its answer is broken.
struct ReverseProxy: Sendable {
    struct Configuration: Sendable {
        var timeout: Duration = .seconds(30)
        var ejectAfter = 3
        var ejectionCoolDown: Duration = .seconds(10)
    }

    let http: HTTPClient
    let pools: [ServiceName: UpstreamPool]
    let configuration: Configuration

    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those only the gateway
    /// may set; never forwarded as they came.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "host",
    ]

    static let bufferedBodyLimit = 64 * 1024

    private enum Failure: Error {
        case unreachable(any Error)
        case timedOut
        case broken(any Error)
    }

    func forward(_ request: Request, to service: ServiceName, context: ServiceRequestContext) async throws -> Response {
        guard let pool = pools[service] else { throw Problem(.serviceUnavailable, detail: "No instance of \(service.rawValue) is configured.") }
        let replayable = request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil
            && [.get, .head, .delete, .options].contains(request.method)
        var tried: Set<String> = []
        while let instance = pool.pick(excluding: tried) {
            tried.insert(instance.name)
            let start = ContinuousClock.now
            do {
                let response = try await send(request, to: instance, context: context)
                instance.recordSuccess()
                context.notes.upstream = "\(service.rawValue)@\(instance.name)"
                context.notes.upstreamDuration = ContinuousClock.now - start
                return response
            } catch let failure as Failure {
                context.notes.upstream = "\(service.rawValue)@\(instance.name)"
                context.notes.upstreamDuration = ContinuousClock.now - start
                if case .broken = failure {} else if instance.recordFailure(ejectAfter: configuration.ejectAfter, coolDown: configuration.ejectionCoolDown) {
                    context.logger.warning("Ejected an upstream instance", metadata: ["upstream": .string(service.rawValue), "instance": .string(instance.name)])
                }
                switch failure {
                case .unreachable(let error) where replayable && tried.count < 2:
                    context.logger.info("Retrying on another instance", metadata: ["instance": .string(instance.name), "error": "\(error)"])
                    continue
                case .unreachable:
                    throw Problem(.serviceUnavailable, detail: "\(service.rawValue) cannot be reached.")
                case .timedOut:
                    throw Problem(.gatewayTimeout, detail: "\(service.rawValue) did not answer in time.")
                case .broken(let error):
                    context.logger.warning("Upstream answer broken", metadata: ["upstream": .string(service.rawValue), "error": "\(error)"])
                    throw Problem(.badGateway, detail: "\(service.rawValue) gave no valid answer.")
                }
            }
        }
        throw Problem(.serviceUnavailable, detail: "No healthy instance of \(service.rawValue) is available.")
    }

    private func send(_ request: Request, to instance: UpstreamInstance, context: ServiceRequestContext) async throws -> Response {
        var upstream = HTTPClientRequest(url: instance.baseURL + request.uri.description)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        upstream.headers = Self.forwardedHeaders(request, context: context)
        let requestLength = request.headers[.contentLength].flatMap(Int.init)
        if let requestLength, requestLength <= Self.bufferedBodyLimit {
            upstream.body = .bytes(try await request.body.collect(upTo: requestLength))
        } else if requestLength != nil || request.headers[.transferEncoding] != nil {
            upstream.body = .stream(request.body, length: requestLength.map { .known(Int64($0)) } ?? .unknown)
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(upstream, timeout: TimeAmount(configuration.timeout), logger: context.logger)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw Failure.timedOut
        } catch let error where Self.isConnectionFailure(error) {
            throw Failure.unreachable(error)
        } catch {
            throw Failure.broken(error)
        }
        var headers = HTTPFields()
        let named = Set(response.headers[canonicalForm: "connection"].map { $0.lowercased() })
        for header in response.headers {
            let name = header.name.lowercased()
            guard !Self.hopByHop.contains(name), !named.contains(name), let fieldName = HTTPField.Name(header.name) else { continue }
            headers.append(HTTPField(name: fieldName, value: header.value))
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        if request.method != .head, let length = response.headers.first(name: "content-length").flatMap(Int.init), length <= Self.bufferedBodyLimit {
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: length)
            } catch {
                throw Failure.broken(error)
            }
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
        }
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: response.body))
    }

    /// The request's headers less hop-by-hop ones (and those its `Connection` header names) and any `X-User-*`
    /// the client sent; plus the request id, the verified identity and `X-Forwarded-*`.
    static func forwardedHeaders(_ request: Request, context: ServiceRequestContext) -> HTTPHeaders {
        let fields = request.headers
        let named = Set(fields[values: .connection].flatMap { $0.split(separator: ",") }.map { $0.trimmingOptionalWhitespace.lowercased() })
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            guard !hopByHop.contains(name), !named.contains(name), !name.hasPrefix("x-user-"), name != "x-request-id" else { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "X-Request-Id", value: context.requestID)
        if let identity = context.identity {
            headers.add(name: "X-User-Id", value: identity.userID.uuidString.lowercased())
            headers.add(name: "X-User-Role", value: identity.role.rawValue)
        }
        if let peer = context.remoteAddress?.ipAddress {
            let chain = fields[.xForwardedFor].map { "\($0), \(peer)" } ?? peer
            headers.replaceOrAdd(name: "X-Forwarded-For", value: chain)
        }
        if let host = request.head.authority {
            headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        }
        return headers
    }

    static func isConnectionFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if error is NIOConnectionError { return true }
        if let error = error as? IOError { return [ECONNREFUSED, ECONNRESET, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) }
        return String(describing: error).contains("Connection refused")
    }
}
