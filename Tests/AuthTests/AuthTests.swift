import Auth
import Contracts
import ServiceKit
import Testing
import TestSupport

@Suite struct AuthServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.auth) { try await buildApplication(configuration: $0) }
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "redis": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.auth) { try await buildApplication(configuration: $0) }
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
