import Metrics
import Prometheus

/// The process's Prometheus registry. swift-metrics can be bootstrapped once per process, so every application
/// built in it (several in tests) shares this one.
public enum ServiceMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Prometheus names allow `[a-zA-Z0-9_:]`; swift-metrics labels use dots.
        factory.nameAndLabelSanitizer = { label, dimensions in
            (sanitize(label), dimensions.map { (sanitize($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Bootstraps the metrics system if nothing has yet.
    public static func bootstrap() {
        _ = registry
    }

    /// Counts a business event once it is written: a booking made, a payment captured, a message sent. (One written
    /// in a transaction that then fails to commit, which a lost connection can do, is counted all the same: the
    /// tables stay the record, the counters show the rate.)
    public static func count(_ label: String, _ dimensions: [(String, String)] = []) {
        Counter(label: label, dimensions: dimensions).increment()
    }

    /// The Prometheus text exposition of every metric.
    public static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    /// Byte by byte: it runs for every business event counted, and Prometheus' names are ASCII (a letter beyond it,
    /// which `Character.isLetter` let through, is no valid name).
    static func sanitize(_ name: String) -> String {
        String(
            decoding: name.utf8.map { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"), UInt8(ascii: ":"):
                    byte
                default: UInt8(ascii: "_")
                }
            }, as: UTF8.self)
    }
}
