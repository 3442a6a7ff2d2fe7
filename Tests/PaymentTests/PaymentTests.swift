import Contracts
import Payment
import ServiceKit
import Testing
import TestSupport

@Suite struct PaymentServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.payment, build: buildApplication(configuration:))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        try await ServiceProbes.checkNotReadyWithoutDatabase(.payment, build: buildApplication(configuration:))
    }
}
