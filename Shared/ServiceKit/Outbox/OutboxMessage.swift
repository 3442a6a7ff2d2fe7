import Contracts
import Foundation
import NIOCore

/// A call to another service's internal route that must happen once the current transaction commits. Its `id`
/// travels as `X-Outbox-Message-Id`, on which the receiver deduplicates.
public struct OutboxMessage: Sendable {
    public let id: UUID
    public let destination: ServiceName
    /// The internal route, for example `/internal/v1/notifications`.
    public let path: String
    /// The JSON body.
    public let payload: String
    /// The trace of the request that wrote it (W3C `traceparent`), which its delivery continues; `nil` untraced.
    public let traceparent: String?

    /// `call`, to the service and route its type declares.
    public init<Call: InternalCall>(_ call: Call, id: UUID = UUID.random()) throws {
        self.id = id
        destination = Call.destination
        path = Call.path
        payload = String(decoding: try JSONEncoder.mayaGo.encode(call), as: UTF8.self)
        traceparent = TraceContextHeaders.currentParent
    }

    /// `call`, which writes its own JSON.
    public init<Call: InternalCall & WrittenJSON>(_ call: Call, id: UUID = UUID.random()) {
        self.init(
            id: id, destination: Call.destination, path: Call.path, payload: String(decoding: call.json, as: UTF8.self),
            traceparent: TraceContextHeaders.currentParent
        )
    }

    /// `body` to `path` on `destination`, for a route several services answer alike (``AccountErasure``).
    public init(_ body: some Encodable, to destination: ServiceName, path: String, id: UUID = UUID.random()) throws {
        self.init(
            id: id, destination: destination, path: path, payload: String(decoding: try JSONEncoder.mayaGo.encode(body), as: UTF8.self),
            traceparent: TraceContextHeaders.currentParent
        )
    }

    init(id: UUID, destination: ServiceName, path: String, payload: String, traceparent: String?) {
        self.id = id
        self.destination = destination
        self.path = path
        self.payload = payload
        self.traceparent = traceparent
    }
}
