import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Calls other services' internal routes: adds the service credential and the request id, encodes and decodes
/// JSON the MayaGo way, and gives up after a timeout. (AsyncHTTPClient opens a client span of the current trace and
/// sends its `traceparent` when traces are on.)
public struct InternalClient: Sendable {
    public let peers: [ServiceName: [URL]]
    let credential: ServiceCredential
    let http: HTTPClient
    public let timeout: Duration

    public init(peers: [ServiceName: [URL]], credential: ServiceCredential, http: HTTPClient = .mayaGo, timeout: Duration = .seconds(5)) {
        self.peers = peers
        self.credential = credential
        self.http = http
        self.timeout = timeout
    }

    /// An answer that was not 2xx.
    public struct UnexpectedStatus: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "HTTP \(status): \(body.prefix(300))" }
    }

    /// Sends `body` (JSON, if any) and returns the raw status and body.
    public func send(
        _ method: HTTPMethod,
        to peer: ServiceName,
        path: String,
        body: ByteBuffer?,
        headers extra: [(String, String)] = [],
        requestID: String?,
        logger: Logger
    ) async throws -> (status: Int, body: ByteBuffer) {
        // Any instance will do: the call is retried by the caller (the outbox) if this one fails.
        guard let base = peers[peer]?.randomElement() else { throw UnexpectedStatus(status: 0, body: "no URL for \(peer.rawValue)") }
        var request = HTTPClientRequest(url: base.absoluteString.trimmingSuffix("/") + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(try await credential.token(for: peer))")
        request.headers.add(name: "X-Request-Id", value: requestID ?? RequestID.make())
        request.headers.add(contentsOf: extra)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: TimeAmount(timeout), logger: logger)
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (Int(response.status.code), bytes)
    }

    /// Sends `body` and decodes a 2xx answer as `Response`; any other status is thrown as ``UnexpectedStatus``.
    public func call<Response: Decodable>(
        _ method: HTTPMethod,
        to peer: ServiceName,
        path: String,
        body: (some Encodable)? = Optional<Empty>.none,
        requestID: String?,
        logger: Logger,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        let encoded = try body.map { ByteBuffer(bytes: try JSONEncoder.mayaGo.encode($0)) }
        let (status, bytes) = try await send(method, to: peer, path: path, body: encoded, requestID: requestID, logger: logger)
        guard (200..<300).contains(status) else {
            throw UnexpectedStatus(status: status, body: String(buffer: bytes))
        }
        return try JSONDecoder.mayaGo.decode(Response.self, from: bytes)
    }

    /// Sends `call` to the service and route its type declares and decodes the 2xx answer.
    public func send<Call: InternalCall, Response: Decodable>(_ call: Call, requestID: String?, logger: Logger, as type: Response.Type) async throws -> Response
    {
        try await self.call(.POST, to: Call.destination, path: Call.path, body: call, requestID: requestID, logger: logger, as: type)
    }

    /// Record `id` from the service its type names; `nil` when that service does not know it (a 404).
    public func lookUp<Record: InternalLookup>(_ type: Record.Type, id: UUID, logger: Logger) async throws -> Record? {
        do {
            return try await call(.GET, to: Record.destination, path: Record.path(id), requestID: nil, logger: logger, as: type)
        } catch let error as UnexpectedStatus where error.status == 404 {
            return nil
        }
    }

    /// ``lookUp(_:id:logger:)`` on behalf of a client's request: a peer that does not answer is logged and becomes a
    /// 503 the client may retry.
    public func lookUpForClient<Record: InternalLookup>(_ type: Record.Type, id: UUID, logger: Logger) async throws -> Record? {
        do {
            return try await lookUp(type, id: id, logger: logger)
        } catch {
            let peer = Record.destination.rawValue
            logger.warning("Peer did not answer", metadata: ["peer": "\(peer)", "path": "\(Record.path(id))", "error": "\(error)"])
            throw Problem(.serviceUnavailable, detail: "\(peer.capitalized) is not answering; try again shortly.", headers: [.retryAfter: "5"])
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
