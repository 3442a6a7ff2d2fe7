import Contracts
import Search
import ServiceKit
import Testing
import TestSupport

@Suite struct SearchServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.search, build: buildApplication(configuration:))
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "redis": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.search, build: buildApplication(configuration:))
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
