import Instrumentation
import NIOHTTP1
import ServiceContextModule

/// Carries the W3C trace context (`traceparent`, `tracestate`) in and out of NIO's HTTP/1 headers: what the gateway
/// reads from a client and forwards, what the internal client sends, what the outbox keeps for a later delivery.
public struct TraceContextHeaders: Extractor, Injector {
    public init() {}

    public func extract(key: String, from carrier: HTTPHeaders) -> String? {
        carrier.first(name: key)
    }

    public func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }

    /// The headers that carry `context` to the next service: none when tracing is off or nothing is traced.
    public static func headers(for context: ServiceContext) -> HTTPHeaders {
        var headers = HTTPHeaders()
        InstrumentationSystem.instrument.inject(context, into: &headers, using: TraceContextHeaders())
        return headers
    }

    /// The context `headers` carry, or a top-level one.
    public static func context(from headers: HTTPHeaders) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: TraceContextHeaders())
        return context
    }

    /// The current task's `traceparent`, kept with work done later (an outbox message); `nil` when nothing is traced.
    public static var currentParent: String? {
        ServiceContext.current.flatMap { headers(for: $0).first(name: "traceparent") }
    }
}
