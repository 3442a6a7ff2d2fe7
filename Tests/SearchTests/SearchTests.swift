import Contracts
import Search
import ServiceKit
import Testing
import TestSupport

@Suite struct SearchServiceTests {
    @Test func answersHealthReadyAndMetrics() async throws {
        try await ServiceProbes.checkHealthReadyAndMetrics(.search, build: buildApplication(configuration:))
    }

    @Test func isNotReadyWhileItsDatabaseIsUnreachable() async throws {
        try await ServiceProbes.checkNotReadyWithoutDatabase(.search, build: buildApplication(configuration:))
    }
}
