import Contracts
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import TestSupport
import Testing

/// One request followed from the gateway to Notify: every service sends its spans to a stand-in OpenTelemetry
/// collector (OTLP/HTTP with JSON), and the spans of the client's trace form one tree.
extension StackTests {
    @Test func aRequestIsTracedFromTheGatewayThroughTheOutboxToNotify() async throws {
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

            // A client that traces too: its span is the root of what follows.
            let traceID = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            let clientSpan = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            let body = try JSONSerialization.data(withJSONObject: [
                "email": "traced-\(UUID().uuidString.prefix(8).lowercased())@example.com", "password": "a long enough passphrase",
                "name": "Traced", "role": "traveler",
            ])
            let (_, registered) = try await HTTP.send(
                "POST", stack.url(.gateway, "/api/v1/auth/register"),
                headers: ["Content-Type": "application/json", "traceparent": "00-\(traceID)-\(clientSpan)-01"], body: body)
            #expect(registered.statusCode == 202)

            // Each service sends its spans in its own batches: wait for all of them.
            let expected: [(String, SpanCollector.Span.Kind)] = [
                ("gateway", .server), ("auth", .server), ("auth", .producer), ("auth", .client), ("notify", .server),
            ]
            let complete = await eventually(timeout: .seconds(20)) {
                let spans = collector.spans(of: traceID)
                return expected.allSatisfy { service, kind in spans.contains { $0.service == service && $0.kind == kind } }
            }
            let spans = collector.spans(of: traceID)
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
        return Data(base64Encoded: text).map { $0.map { String(format: "%02x", $0) }.joined() }
    }
}
