import Contracts
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import ServiceKit

struct ServiceMainTests {
    /// A part that does not end when asked to stop gracefully, only when cancelled.
    private struct Stubborn: Service {
        func run() async throws {
            try await Task.sleep(for: .seconds(3_600))
        }
    }

    /// A stop that waits for a part that never ends is cancelled after the shutdown timeout, and the group returns.
    @Test func aGracefulStopThatOutlastsItsTimeoutIsCancelled() async throws {
        // No signals: the test process keeps its own handling of SIGTERM and SIGINT.
        let group = ServiceMain.group([Stubborn()], shutdownTimeout: .milliseconds(200), signals: [], logger: Logger(label: "test"))
        let ended = Atomic(false)
        let running = Task {
            try? await group.run()
            ended.store(true, ordering: .relaxed)
        }
        try await Task.sleep(for: .milliseconds(100))
        await group.triggerGracefulShutdown()
        for _ in 0..<50 where !ended.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(100)) }
        let hasEnded = ended.load(ordering: .relaxed)
        #expect(hasEnded)
        running.cancel()
    }

    @Test func theShutdownTimeoutIsTwentySecondsUnlessSet() throws {
        #expect(try ServiceConfiguration(service: .search, settings: .variables([:])).shutdownTimeout == .seconds(20))
        #expect(try ServiceConfiguration(service: .search, settings: .variables(["SHUTDOWN_TIMEOUT_MS": "45000"])).shutdownTimeout == .seconds(45))
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(service: .search, settings: .variables(["SHUTDOWN_TIMEOUT_MS": "0"]))
        }
    }
}
