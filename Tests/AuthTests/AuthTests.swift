import Contracts
import Auth
import ServiceKit
import Testing
import TestSupport

@Suite struct AuthServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.auth, build: buildApplication(configuration:))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        try await ServiceProbes.checkNotReadyWithoutDatabase(.auth, build: buildApplication(configuration:))
    }
}
