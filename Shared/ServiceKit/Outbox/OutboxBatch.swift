import Contracts
import Foundation

/// Several outbox messages for one service in one request, which the receiver replays one by one through its own
/// routes (``OutboxBatchRoute``): a message is handled, authorized and deduplicated exactly as if it had come alone.
/// The receiver answers 204 when every message was applied, or 207 with the ``Failures``; a service that does not
/// know the route (an older release) answers 404, and the relay sends the messages one at a time.
struct OutboxBatch: Codable, Sendable {
    /// Below `/internal/v1/` on every service that has internal routes.
    static let route = "outbox"
    static let path = "/\(internalRoot)/\(route)"
    /// At most this many bytes of payloads go in one batch, well under a receiver's upload limit.
    static let maximumPayloadBytes = 512 * 1024

    struct Message: Codable, Sendable {
        let id: UUID
        /// The internal route the message is for, as it would be called alone.
        let path: String
        /// The JSON body, as text.
        let payload: String
        /// The delivery's trace context, continued by the route that handles the message.
        let traceparent: String?
    }

    /// A message that was not applied: its route's status and the start of its answer.
    struct Failure: Codable, Sendable {
        let id: UUID
        let status: Int
        let detail: String
    }

    /// The 207 answer: the messages that were not applied; every other one was.
    struct Failures: Codable, Sendable {
        let failures: [Failure]
    }

    let messages: [Message]
}
