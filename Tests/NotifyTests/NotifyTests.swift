import Contracts
import Notify
import ServiceKit
import Testing
import TestSupport

@Suite struct NotifyServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.notify, build: buildApplication(configuration:))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        try await ServiceProbes.checkNotReadyWithoutDatabase(.notify, build: buildApplication(configuration:))
    }
}
