import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceContextModule
import Synchronization

/// Answers ``OutboxBatch``: each message becomes the request it stands for (its route, its body, the batch's
/// credential, `X-Outbox-Message-Id`, its `traceparent`) and goes through the service's whole responder, middleware
/// included, so that batching changes how messages travel and nothing of how they are handled. The messages are
/// handled concurrently, as the relay would send them one at a time.
final class OutboxBatchRoute: Sendable {
    private let responder = Mutex<RouterResponder<ServiceRequestContext>?>(nil)

    /// The service's responder, known once its router is built (the route is part of that router).
    func replay(through responder: RouterResponder<ServiceRequestContext>) {
        self.responder.withLock { $0 = responder }
    }

    func answer(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let batch = try await request.decode(as: OutboxBatch.self, context: context)
        guard let responder = responder.withLock({ $0 }) else {
            throw Problem(.serviceUnavailable, detail: "The service is starting.", headers: [.retryAfter: "1"])
        }
        let failures = await withTaskGroup(of: OutboxBatch.Failure?.self) { group in
            for message in batch.messages {
                group.addTask { await Self.apply(message, of: request, context: context, through: responder) }
            }
            return await group.reduce(into: [OutboxBatch.Failure]()) { failures, failure in failure.map { failures.append($0) } }
        }
        guard !failures.isEmpty else { return Response(status: .noContent) }
        return try .json(OutboxBatch.Failures(failures: failures), status: .init(code: 207, reasonPhrase: "Multi-Status"))
    }

    /// `message` handled as its own request; `nil` when its route answered 2xx.
    private static func apply(
        _ message: OutboxBatch.Message, of batch: Request, context: ServiceRequestContext, through responder: RouterResponder<ServiceRequestContext>
    ) async -> OutboxBatch.Failure? {
        guard Self.isMessageRoute(message.path) else {
            return .init(id: message.id, status: 400, detail: "\(message.path) is not an internal route.")
        }
        var fields = HTTPFields()
        fields[.authorization] = batch.headers[.authorization]
        fields[.contentType] = "application/json"
        fields[.requestID] = context.requestID
        fields[.outboxMessageID] = message.id.lowercasedString
        if let traceparent = message.traceparent { fields[.traceparent] = traceparent }
        let head = HTTPRequest(method: .post, scheme: batch.head.scheme, authority: batch.head.authority, path: message.path, headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(string: message.payload)))
        do {
            // Its own trace: the message's `traceparent`, not the batch's span.
            let response = try await ServiceContext.$current.withValue(nil) {
                try await responder.respond(to: request, context: ServiceRequestContext(replaying: context))
            }
            guard !(200..<300).contains(response.status.code) else { return nil }
            return .init(id: message.id, status: response.status.code, detail: try await response.body.text(upTo: 300))
        } catch {
            return .init(id: message.id, status: (error as? any HTTPResponseError)?.status.code ?? 500, detail: String("\(error)".prefix(300)))
        }
    }

    /// Only another internal route, spelled plainly: a batch inside a batch, a public route, or a path that could
    /// climb out of `/internal/v1/` (`..`, an escape, a query) is not a message.
    static func isMessageRoute(_ path: String) -> Bool {
        path.hasPrefix("/\(internalRoot)/") && !path.hasPrefix(OutboxBatch.path) && path.utf8.allSatisfy(plainBytes.contains)
    }

    private static let plainBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_".utf8)
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
}

extension ResponseBody {
    /// The first `limit` bytes of the body, as text.
    fileprivate func text(upTo limit: Int) async throws -> String {
        let collected = Collected()
        try await write(Collector(collected: collected))
        return String(decoding: collected.bytes.readableBytesView.prefix(limit), as: UTF8.self)
    }

    private final class Collected {
        var bytes = ByteBuffer()
    }

    private struct Collector: ResponseBodyWriter {
        let collected: Collected
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            collected.bytes.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
