import Contracts
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import TestSupport
import Testing

/// Requests followed from the gateway through a service's outbox to the next service: every service sends its spans to
/// a stand-in OpenTelemetry collector (OTLP/HTTP with JSON), and the spans of the client's trace form one tree.
extension StackTests {
    @Test func aRequestIsTracedFromTheGatewayThroughTheOutboxToNotify() async throws {
        try await withTracedStack { stack, collector in
            // A client that traces too: its span is the root of what follows.
            let (traceID, clientSpan) = (Self.randomHex(16), Self.randomHex(8))
            let body = try JSONSerialization.data(withJSONObject: [
                "email": "traced-\(UUID().uuidString.prefix(8).lowercased())@example.com", "password": "a long enough passphrase",
                "name": "Traced", "role": "traveler",
            ])
            let (_, registered) = try await HTTP.send(
                "POST", stack.url(.gateway, "/api/v1/auth/register"),
                headers: ["Content-Type": "application/json", "traceparent": "00-\(traceID)-\(clientSpan)-01"], body: body)
            #expect(registered.statusCode == 202)

            let (spans, complete) = await collector.spans(
                of: traceID, awaiting: [("gateway", .server), ("auth", .server), ("auth", .producer), ("auth", .client), ("notify", .server)])
            #expect(complete, "\(spans)\n\(stack.output)")
            await stack.stop()

            let gateway = try #require(spans.first { $0.service == "gateway" }, "\(spans)")
            #expect(gateway.kind == .server && gateway.parent == clientSpan)
            let auth = try #require(spans.first { $0.service == "auth" && $0.kind == .server }, "\(spans)")
            #expect(auth.parent == gateway.id && auth.name == "/api/v1/auth/register")
            let outbox = try #require(spans.first { $0.service == "auth" && $0.kind == .producer }, "\(spans)")
            #expect(outbox.parent == auth.id)
            let delivery = try #require(spans.first { $0.service == "auth" && $0.kind == .client }, "\(spans)")
            #expect(delivery.parent == outbox.id)
            let notify = try #require(spans.first { $0.service == "notify" && $0.kind == .server }, "\(spans)")
            #expect(notify.parent == delivery.id)
        }
    }

    /// A booking's payment request, which the booking's own statement writes to the outbox, continues the booking's
    /// trace to Payment.
    @Test func aBookingsPaymentRequestContinuesTheBookingsTrace() async throws {
        try await withTracedStack { stack, collector in
            let provider = try await stack.signUp("provider").token
            let traveler = try await stack.signUp("traveler").token
            let (_, slotID) = try await stack.listExperience(
                [
                    "title": "Cenote swim", "description": "Cool water.", "category": "nature",
                    "location": ["latitude": 20.6, "longitude": -87.1, "city": "Tulum", "country": "MX"], "timeZone": "America/Cancun",
                    "durationMinutes": 120, "price": ["amount": 50_000, "currency": "MXN"], "maxGuests": 6, "bookingMode": "instant",
                    "cancellationPolicy": "flexible", "languages": ["es"],
                ], by: provider, slotIn: 7, capacity: 4)

            let (traceID, clientSpan) = (Self.randomHex(16), Self.randomHex(8))
            let (booked, _) = try await stack.call(
                "POST", "/api/v1/bookings", token: traveler, body: ["slotId": slotID, "guests": 1],
                headers: ["Idempotency-Key": UUID().uuidString, "traceparent": "00-\(traceID)-\(clientSpan)-01"])
            #expect(booked == 201)

            let (spans, complete) = await collector.spans(
                of: traceID, awaiting: [("gateway", .server), ("booking", .server), ("booking", .producer), ("booking", .client), ("payment", .server)])
            #expect(complete, "\(spans)\n\(stack.output)")
            await stack.stop()

            let booking = try #require(spans.first { $0.service == "booking" && $0.kind == .server }, "\(spans)")
            let outbox = try #require(spans.first { $0.service == "booking" && $0.kind == .producer }, "\(spans)")
            #expect(outbox.parent == booking.id)
            let delivery = try #require(spans.first { $0.service == "booking" && $0.kind == .client }, "\(spans)")
            let payment = try #require(spans.first { $0.service == "payment" && $0.kind == .server }, "\(spans)")
            #expect(delivery.parent == outbox.id && payment.parent == delivery.id)
        }
    }

    /// Runs `body` with a stack whose services send their spans to a stand-in collector; `body` stops the stack.
    private func withTracedStack(_ body: @Sendable (Stack, SpanCollector) async throws -> Void) async throws {
        let collector = SpanCollector()
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            collector.take(try await request.body.collect(upTo: 16 * 1024 * 1024))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        try await withStandIn(router) { port in
            let stack = try Stack([
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_BSP_SCHEDULE_DELAY": "100",
            ])
            let ready = await stack.waitUntilReady()
            #expect(ready, "\(stack.output)")
            guard ready else { return await stack.stop() }
            do { try await body(stack, collector) } catch {
                await stack.stop()
                throw error
            }
        }
    }

    /// `bytes` random bytes in hex: a trace id (16) or a span id (8).
    private static func randomHex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in UInt8.random(in: 0...255) }.hexString
    }
}

/// What the stand-in collector received, span by span.
private final class SpanCollector: Sendable {
    struct Span: CustomStringConvertible {
        /// OTLP's span kinds.
        enum Kind: Int { case unspecified, `internal`, server, client, producer, consumer }
        let service: String
        let traceID: String
        let id: String
        let parent: String?
        let name: String
        let kind: Kind
        var description: String { "\(service) \(kind) \(name) \(id) ← \(parent ?? "-")" }
    }

    private let received = NIOLockedValueBox<[Span]>([])

    func spans(of traceID: String) -> [Span] {
        received.withLockedValue { $0.filter { $0.traceID == traceID } }
    }

    /// The spans of `traceID` once one of each `expected` service and kind came (each service sends its spans in its
    /// own batches), or what came in 20 seconds; and whether all did.
    func spans(of traceID: String, awaiting expected: [(service: String, kind: Span.Kind)]) async -> (spans: [Span], complete: Bool) {
        let complete = await eventually(timeout: .seconds(20)) {
            let spans = self.spans(of: traceID)
            return expected.allSatisfy { service, kind in spans.contains { $0.service == service && $0.kind == kind } }
        }
        return (spans(of: traceID), complete)
    }

    /// An `ExportTraceServiceRequest` in OTLP's JSON.
    func take(_ body: ByteBuffer) {
        guard let request = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else { return }
        var spans: [Span] = []
        for resourceSpans in request["resourceSpans"] as? [[String: Any]] ?? [] {
            let attributes = (resourceSpans["resource"] as? [String: Any])?["attributes"] as? [[String: Any]] ?? []
            let service = attributes.first { $0["key"] as? String == "service.name" }.flatMap { ($0["value"] as? [String: Any])?["stringValue"] as? String }
            for scope in resourceSpans["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    guard let service, let traceID = Self.hex(span["traceId"]), let id = Self.hex(span["spanId"]) else { continue }
                    spans.append(
                        Span(
                            service: service, traceID: traceID, id: id, parent: Self.hex(span["parentSpanId"]), name: span["name"] as? String ?? "",
                            kind: Span.Kind(rawValue: span["kind"] as? Int ?? 0) ?? .unspecified))
                }
            }
        }
        received.withLockedValue { $0 += spans }
    }

    /// An id as hex: OTLP's JSON says hex, protobuf's JSON mapping gives bytes in base64; either is read.
    private static func hex(_ value: Any?) -> String? {
        guard let text = value as? String, !text.isEmpty else { return nil }
        if text.count % 16 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        return Data(base64Encoded: text).map(\.hexString)
    }
}
