import Contracts
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import ServiceKit

/// A stand-in for the suite's other services in one: it publishes the test signing key as Auth's JWKS,
/// records every call to an internal route (Payment, Notify, Search), answering 204, and answers internal lookups
/// with the records it was given (404 for others); while `isDown`, it answers 503 instead, like a peer that is away.
public actor Recorder {
    public struct Call: Sendable {
        public let path: String
        public let body: Data
        public let messageID: String?
    }

    public private(set) var calls: [Call] = []
    public private(set) var isDown = false
    private var records: [String: Data] = [:]

    public init() {}

    public func setDown(_ down: Bool) {
        isDown = down
    }

    /// Answers lookups of `record` at `id` with it.
    public func answer<Record: InternalLookup>(_ record: Record, id: UUID) throws {
        records[Record.path(id)] = try JSONEncoder.mayaGo.encode(record)
    }

    /// The answer to a lookup at `path`.
    private func lookUp(_ path: String) -> Response {
        guard !isDown else { return Response(status: .serviceUnavailable) }
        guard let body = records[path] else { return Response(status: .notFound) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The bodies sent to `path`, decoded.
    public func bodies<T: Decodable>(_ type: T.Type, at path: String) -> [T] {
        calls.filter { $0.path == path }.compactMap { try? JSONDecoder.mayaGo.decode(T.self, from: $0.body) }
    }

    /// Waits (up to 30 s: the whole suite shares two cores) until a body sent to `path` satisfies `condition`.
    public func first<T: Decodable & Sendable>(_ type: T.Type, at path: String, where condition: @Sendable (T) -> Bool) async -> T? {
        await eventuallyFound { bodies(T.self, at: path).first(where: condition) }
    }

    private func record(_ calls: [Call]) -> Bool {
        guard !isDown else { return false }
        self.calls += calls
        return true
    }

    /// The body of `POST /internal/v1/outbox`.
    private struct Batch: Decodable {
        struct Message: Decodable {
            let id: UUID
            let path: String
            let payload: String
        }
        let messages: [Message]
    }

    public nonisolated func router(tokens: TestTokens) -> Router<BasicRequestContext> {
        let router = Router()
        tokens.publish(on: router)
        router.post("internal/**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let calls: [Call]
            if request.uri.path == "/internal/v1/outbox" {
                // An outbox batch: each message recorded as the call it stands for, as the services would handle it.
                calls = try JSONDecoder.mayaGo.decode(Batch.self, from: body).messages.map {
                    Call(path: $0.path, body: Data($0.payload.utf8), messageID: $0.id.uuidString.lowercased())
                }
            } else {
                calls = [Call(path: request.uri.path, body: Data(buffer: body), messageID: request.headers[.outboxMessageID])]
            }
            return await self.record(calls) ? Response(status: .noContent) : Response(status: .serviceUnavailable)
        }
        router.get("internal/**") { request, _ -> Response in await self.lookUp(request.uri.path) }
        return router
    }
}
