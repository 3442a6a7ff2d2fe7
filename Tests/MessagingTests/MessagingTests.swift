import Contracts
import Messaging
import ServiceKit
import TestSupport
import Testing

@Suite struct MessagingServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.messaging, build: { try await buildApplication(configuration: $0) })
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok", "redis": "ok", "redis subscriber": "ok", "signing keys": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.messaging, build: { try await buildApplication(configuration: $0) })
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
