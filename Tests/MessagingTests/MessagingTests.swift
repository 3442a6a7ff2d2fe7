import Contracts
import Messaging
import ServiceKit
import Testing
import TestSupport

@Suite struct MessagingServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.messaging, build: buildApplication(configuration:))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        try await ServiceProbes.checkNotReadyWithoutDatabase(.messaging, build: buildApplication(configuration:))
    }
}
