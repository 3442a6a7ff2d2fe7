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

/// Forwards a request to an upstream service and streams the answer back, both bodies without buffering.
/// Failures become problem details: 503 when the upstream cannot be reached, 504 when it does not answer in
/// time, 502 when its answer is broken.
public struct ReverseProxy: Sendable {
    let http: HTTPClient
    let upstreams: [ServiceName: URL]
    let timeout: Duration

    public init(http: HTTPClient, upstreams: [ServiceName: URL], timeout: Duration) {
        self.http = http
        self.upstreams = upstreams
        self.timeout = timeout
    }

    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization", "host",
    ]

    public func forward(_ request: Request, to service: ServiceName, context: ServiceRequestContext) async throws -> Response {
        guard let base = upstreams[service] else {
            throw Problem(.serviceUnavailable, detail: "No instance of \(service.rawValue) is configured.")
        }
        var upstream = HTTPClientRequest(url: base.absoluteString.trimmingCharacters(in: ["/"]) + request.uri.description)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        upstream.headers = Self.forwardedHeaders(request.headers)
        upstream.headers.replaceOrAdd(name: "X-Request-Id", value: context.requestID)
        if request.method != .get, request.method != .head {
            let length = request.headers[.contentLength].flatMap(Int.init)
            upstream.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(upstream, timeout: TimeAmount(timeout), logger: context.logger)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw Problem(.gatewayTimeout, detail: "\(service.rawValue) did not answer in time.")
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw Problem(.serviceUnavailable, detail: "\(service.rawValue) cannot be reached.")
        } catch is NIOConnectionError {
            throw Problem(.serviceUnavailable, detail: "\(service.rawValue) cannot be reached.")
        } catch where Self.isConnectionRefused(error) {
            throw Problem(.serviceUnavailable, detail: "\(service.rawValue) cannot be reached.")
        } catch {
            context.logger.warning("Upstream failed", metadata: ["upstream": .string(service.rawValue), "error": "\(error)"])
            throw Problem(.badGateway, detail: "\(service.rawValue) gave no valid answer.")
        }
        var headers = HTTPFields()
        for header in response.headers where !Self.hopByHop.contains(header.name.lowercased()) {
            if let name = HTTPField.Name(header.name) {
                headers.append(HTTPField(name: name, value: header.value))
            }
        }
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: headers,
            body: ResponseBody(asyncSequence: response.body)
        )
    }

    static func forwardedHeaders(_ fields: HTTPFields) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in fields where !hopByHop.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    static func isConnectionRefused(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        return String(describing: error).contains("connectionRefused")
    }
}
