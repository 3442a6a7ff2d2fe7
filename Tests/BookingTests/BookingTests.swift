import Contracts
import Booking
import ServiceKit
import Testing
import TestSupport

@Suite struct BookingServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.booking, build: buildApplication(configuration:))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        try await ServiceProbes.checkNotReadyWithoutDatabase(.booking, build: buildApplication(configuration:))
    }
}
