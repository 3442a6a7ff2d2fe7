import Contracts
import Notify
import ServiceKit
import Testing
import TestSupport

@Suite struct NotifyServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.notify, build: buildApplication(configuration:))
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.notify, build: buildApplication(configuration:))
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
