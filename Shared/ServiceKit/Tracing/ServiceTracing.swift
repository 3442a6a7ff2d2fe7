import Contracts
import Logging
import OTel
import ServiceLifecycle

/// OpenTelemetry traces, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) names a collector: spans leave
/// in batches by OTLP/HTTP (protobuf unless `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), named for the service, and
/// the W3C trace context propagates. Metrics stay with Prometheus and logs with the JSON log, so only traces are
/// bootstrapped; swift-otel reads the endpoint and the other `OTEL_*` variables itself. Off, the tracer is the no-op
/// one and nothing is spent.
enum ServiceTracing {
    /// Bootstraps the tracer; the returned service exports the spans and must run beside the application, started
    /// before it and stopped after it, so that the last spans leave.
    static func bootstrap(_ configuration: ServiceConfiguration, logger: Logger) throws -> (any Service)? {
        guard configuration.tracesEndpoint != nil else { return nil }
        var otel = OTel.Configuration.default
        otel.serviceName = configuration.service.rawValue
        otel.diagnosticLogger = .custom(logger)
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.propagators = [.traceContext]
        return try OTel.bootstrap(configuration: otel)
    }
}
