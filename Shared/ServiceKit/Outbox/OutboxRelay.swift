import Contracts
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Tracing

/// Delivers outbox rows to their destinations with retries and exponential backoff.
///
/// Rows are claimed with `FOR UPDATE SKIP LOCKED` and leased by pushing `next_attempt_at` past the delivery
/// timeout, so several instances share the work and a crashed instance's rows come back after the lease.
/// Delivery is at least once; receivers make it exactly once by deduplicating on the message id.
public final class OutboxRelay: Service, Sendable {
    public struct Configuration: Sendable {
        /// How often to look for due rows when nothing nudged the relay.
        public var pollInterval: Duration = .milliseconds(500)
        /// The first retry delay, doubled per attempt up to `maximumBackoff`.
        public var minimumBackoff: Duration = .milliseconds(200)
        public var maximumBackoff: Duration = .seconds(300)
        /// How long a claimed row stays invisible to other relays; longer than a delivery can take.
        public var lease: Duration = .seconds(30)

        public init() {}
    }

    private let postgres: PostgresClient
    private let client: InternalClient
    private let configuration: Configuration
    private let logger: Logger
    private let wakeups = Wakeups()
    /// Finished by ``activate()``: until then the schema may not exist yet.
    private let activation: AsyncStream<Void>
    private let activated: AsyncStream<Void>.Continuation
    private let delivered = Counter(label: "mayago.outbox.delivered")
    private let failed = Counter(label: "mayago.outbox.failed")

    public init(postgres: PostgresClient, client: InternalClient, configuration: Configuration = .init(), logger: Logger) {
        self.postgres = postgres
        self.client = client
        self.configuration = configuration
        self.logger = logger
        (activation, activated) = AsyncStream.makeStream()
    }

    /// Starts delivering; called once the service's migrations have run.
    public func activate() {
        activated.finish()
    }

    /// Runs `body` in one transaction and, once it commits, wakes the relay: what `body` queued goes out at once
    /// rather than at the next poll. Every service's writes that queue calls go through here.
    public func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let result = try await postgres.transaction(logger: logger, body)
        nudge()
        return result
    }

    /// Makes the relay look for rows now, for example right after a transaction that enqueued some committed.
    public func nudge() {
        wakeups.nudge()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.activation {}
            await self.wakeups.run(every: self.configuration.pollInterval) {
                do {
                    while try await self.deliverBatch() == OutboxClaim.batchSize {}
                } catch {
                    self.logger.warning("Outbox relay cannot read its table", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }

    /// Claims and delivers one batch; returns how many rows it claimed.
    func deliverBatch() async throws -> Int {
        let leaseSeconds = Double(configuration.lease.components.seconds)
        let rows = try await postgres.query(OutboxClaim.query(leaseSeconds: leaseSeconds), logger: logger)
        var claimed: [Claimed] = []
        for try await (id, destination, path, payload, traceparent, attempts) in rows.decode(OutboxClaim.Row.self) {
            guard let destination = ServiceName(rawValue: destination) else { continue }
            claimed.append((OutboxMessage(id: id, destination: destination, path: path, payload: payload, traceparent: traceparent), attempts))
        }
        let deliveredIDs = await withTaskGroup(of: [UUID].self) { group in
            for (destination, messages) in Dictionary(grouping: claimed, by: \.message.destination) {
                for batch in Self.batches(of: messages) {
                    group.addTask { await self.deliver(batch, to: destination) }
                }
            }
            return await group.reduce(into: [UUID]()) { ids, delivered in ids += delivered }
        }
        if !deliveredIDs.isEmpty {
            delivered.increment(by: deliveredIDs.count)
            do {
                // One statement for the whole batch: at a thousand bookings a second, a statement per message was
                // a good part of PostgreSQL's work. A delivered row is owed nothing more: deleted, not marked.
                // Planned each time, as the claim is: a plan kept from an empty outbox scans all of it.
                try await postgres.query("DELETE FROM outbox WHERE id = ANY(\(deliveredIDs))", logger: logger)
            } catch {
                // The lease runs out and the rows are tried again; the receivers' inboxes absorb the repeats.
                logger.warning("Outbox cannot record deliveries", metadata: ["messages": "\(deliveredIDs.count)", "error": "\(error)"])
            }
        }
        return claimed.count
    }

    /// A row claimed for delivery and how many times it has been claimed, this time included.
    typealias Claimed = (message: OutboxMessage, attempts: Int)

    /// `messages` for one destination cut into batches whose payloads stay within ``OutboxBatch/maximumPayloadBytes``.
    static func batches(of messages: [Claimed]) -> [[Claimed]] {
        var batches: [[Claimed]] = []
        var bytes = 0
        for claimed in messages {
            let size = claimed.message.payload.utf8.count
            if batches.isEmpty || bytes + size > OutboxBatch.maximumPayloadBytes {
                batches.append([])
                bytes = 0
            }
            batches[batches.count - 1].append(claimed)
            bytes += size
        }
        return batches
    }

    /// Sends `batch` to `destination`, in one request when it holds several messages (an HTTP exchange per message
    /// was a tenth of Booking's work at a thousand bookings a second); returns the ids delivered. A receiver that
    /// does not take batches gets the messages one at a time. Each message has a span of the trace that wrote it,
    /// which its route on the receiver continues.
    private func deliver(_ batch: [Claimed], to destination: ServiceName) async -> [UUID] {
        let spans = batch.map { claimed in
            let writer = claimed.message.traceparent.map { TraceContextHeaders.context(from: ["traceparent": $0]) } ?? .topLevel
            let span = InstrumentationSystem.tracer.startSpan("outbox \(claimed.message.path)", context: writer, ofKind: .producer)
            span.attributes["mayago.outbox.attempts"] = claimed.attempts
            return span
        }
        defer { for span in spans { span.end() } }
        guard batch.count > 1 else { return await sendAlone(batch, in: spans) }
        let envelope = OutboxBatch(
            messages: zip(batch, spans).map { claimed, span in
                .init(
                    id: claimed.message.id, path: claimed.message.path, payload: claimed.message.payload,
                    traceparent: TraceContextHeaders.headers(for: span.context).first(name: "traceparent")
                )
            })
        let failures: [UUID: String]
        do {
            let (status, body) = try await client.send(
                .POST, to: destination, path: OutboxBatch.path, body: ByteBuffer(bytes: try JSONEncoder.mayaGo.encode(envelope)), requestID: nil,
                logger: logger
            )
            switch status {
            case 204:
                failures = [:]
            case 207:
                let answer = try JSONDecoder.mayaGo.decode(OutboxBatch.Failures.self, from: body)
                failures = Dictionary(answer.failures.map { ($0.id, "HTTP \($0.status): \($0.detail)") }, uniquingKeysWith: { first, _ in first })
            case 400..<500:
                // An older release without the route (404), or one that refuses the batch as a whole.
                return await sendAlone(batch, in: spans)
            default:
                let outcome = "HTTP \(status): \(String(buffer: body).prefix(300))"
                failures = Dictionary(uniqueKeysWithValues: batch.map { ($0.message.id, outcome) })
            }
        } catch {
            failures = Dictionary(uniqueKeysWithValues: batch.map { ($0.message.id, "\(error)") })
        }
        await withTaskGroup(of: Void.self) { group in
            for (message, attempts) in batch {
                guard let outcome = failures[message.id] else { continue }
                group.addTask { await self.recordFailure(of: message, attempts: attempts, outcome) }
            }
        }
        return batch.map(\.message.id).filter { failures[$0] == nil }
    }

    /// Sends each of `batch` in its own request, within its span; returns the ids delivered.
    private func sendAlone(_ batch: [Claimed], in spans: [any Span]) async -> [UUID] {
        await withTaskGroup(of: UUID?.self) { group in
            for ((message, attempts), span) in zip(batch, spans) {
                group.addTask {
                    await ServiceContext.$current.withValue(span.context) { await self.send(message, attempts: attempts) } ? message.id : nil
                }
            }
            return await group.reduce(into: [UUID]()) { ids, id in id.map { ids.append($0) } }
        }
    }

    /// Sends one message; a failure is recorded with its next attempt's time. Returns whether it was delivered.
    private func send(_ message: OutboxMessage, attempts: Int) async -> Bool {
        let outcome: String?
        do {
            let (status, body) = try await client.send(
                .POST,
                to: message.destination,
                path: message.path,
                body: ByteBuffer(string: message.payload),
                headers: [("X-Outbox-Message-Id", message.id.lowercasedString)],
                requestID: nil,
                logger: logger
            )
            outcome = (200..<300).contains(status) ? nil : "HTTP \(status): \(String(buffer: body).prefix(300))"
        } catch {
            outcome = "\(error)"
        }
        guard let outcome else { return true }
        await recordFailure(of: message, attempts: attempts, outcome)
        return false
    }

    /// Logs why `message` was not delivered and sets its next attempt after the backoff.
    private func recordFailure(of message: OutboxMessage, attempts: Int, _ outcome: String) async {
        failed.increment()
        let delay = backoff(afterAttempts: attempts)
        logger.warning(
            "Outbox delivery failed",
            metadata: [
                "messageId": "\(message.id)", "destination": .string(message.destination.rawValue),
                "attempts": "\(attempts)", "retryInMs": "\(Int(delay.milliseconds))", "error": .string(outcome),
            ]
        )
        do {
            try await postgres.query(
                """
                UPDATE outbox SET next_attempt_at = now() + make_interval(secs => \(delay.milliseconds / 1000)), last_error = \(outcome)
                WHERE id = \(message.id)
                """,
                logger: logger
            )
        } catch {
            // The lease runs out and the row is tried again.
            logger.warning("Outbox cannot record a failed delivery", metadata: ["messageId": "\(message.id)", "error": "\(error)"])
        }
    }

    /// Exponential backoff with ±20 % jitter, so that rows that failed together do not retry together.
    func backoff(afterAttempts attempts: Int) -> Duration {
        let exponential = configuration.minimumBackoff * (1 << min(max(attempts - 1, 0), 20))
        let capped = min(exponential, configuration.maximumBackoff)
        return capped * Double.random(in: 0.8...1.2)
    }
}
