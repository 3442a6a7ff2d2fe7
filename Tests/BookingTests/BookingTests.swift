import Contracts
import Booking
import ServiceKit
import Testing
import TestSupport

@Suite struct BookingServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        let readiness = try await ServiceProbes.checkHealthReadyAndMetrics(.booking, build: buildApplication(configuration:))
        #expect(readiness == Readiness(status: .ok, checks: ["postgres": "ok"]))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        let readiness = try await ServiceProbes.checkNotReadyWithoutDatabase(.booking, build: buildApplication(configuration:))
        #expect(readiness?.status == .unavailable)
        #expect(readiness?.checks["postgres"]?.hasPrefix("ok") == false)
    }
}
