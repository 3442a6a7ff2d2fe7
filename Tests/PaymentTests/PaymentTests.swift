import Contracts
import Payment
import ServiceKit
import Testing
import TestSupport

@Suite struct PaymentServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.payment, build: buildApplication(configuration:))
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.payment, build: buildApplication(configuration:))
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
