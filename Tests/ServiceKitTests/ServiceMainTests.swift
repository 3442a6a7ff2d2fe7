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

    /// A part that ends as soon as it is asked to stop.
    private struct Polite: Service {
        func run() async throws {
            try? await gracefulShutdown()
        }
    }

    /// A stop that waits for a part that never ends is cancelled after the shutdown timeout, the group returns, and
    /// the stop is known to have been cut short (the process then exits 1).
    @Test func aGracefulStopThatOutlastsItsTimeoutIsCancelled() async throws {
        let witness = StopWitness()
        #expect(try await stop([witness, Stubborn()], timeout: .milliseconds(200)))
        #expect(witness.cutShort)
    }

    @Test func aGracefulStopWithinItsTimeoutIsNotCutShort() async throws {
        let witness = StopWitness()
        #expect(try await stop([witness, Polite()], timeout: .seconds(5)))
        #expect(!witness.cutShort)
    }

    /// Runs `services`, stops them gracefully after 100 ms, and returns whether the group ended within five seconds.
    private func stop(_ services: [any Service], timeout: Duration) async throws -> Bool {
        // No signals: the test process keeps its own handling of SIGTERM and SIGINT.
        let group = ServiceMain.group(services, shutdownTimeout: timeout, signals: [], logger: Logger(label: "test"))
        let ended = Atomic(false)
        let running = Task {
            try? await group.run()
            ended.store(true, ordering: .relaxed)
        }
        try await Task.sleep(for: .milliseconds(100))
        await group.triggerGracefulShutdown()
        for _ in 0..<50 where !ended.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(100)) }
        running.cancel()
        return ended.load(ordering: .relaxed)
    }

    @Test func theShutdownTimeoutIsTwentySecondsUnlessSet() throws {
        #expect(try ServiceConfiguration(service: .search, settings: .variables([:])).shutdownTimeout == .seconds(20))
        #expect(try ServiceConfiguration(service: .search, settings: .variables(["SHUTDOWN_TIMEOUT_MS": "45000"])).shutdownTimeout == .seconds(45))
        #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration(service: .search, settings: .variables(["SHUTDOWN_TIMEOUT_MS": "0"]))
        }
    }
}
