import Testing

@testable import ServiceKit

struct ServiceMetricsTests {
    @Test func namesAreMadePrometheusNames() {
        #expect(ServiceMetrics.sanitize("mayago.bookings.created") == "mayago_bookings_created")
        #expect(ServiceMetrics.sanitize("a:b_C9") == "a:b_C9")
        // Prometheus' names are ASCII: each byte of anything else becomes `_`.
        #expect(ServiceMetrics.sanitize("café-ü") == "caf_____")
    }

    @Test func aCountShowsUnderItsPrometheusName() {
        ServiceMetrics.bootstrap()
        ServiceMetrics.count("mayago.tests.counted")
        let exposition = String(decoding: ServiceMetrics.exposition(), as: UTF8.self)
        #expect(exposition.contains("mayago_tests_counted 1"))
    }
}
