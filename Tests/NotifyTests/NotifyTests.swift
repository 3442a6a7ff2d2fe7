import Contracts
import Notify
import ServiceKit
import Testing
import TestSupport

@Suite struct NotifyServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.notify, build: { try await buildApplication(configuration: $0) })
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.notify, build: { try await buildApplication(configuration: $0) })
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
