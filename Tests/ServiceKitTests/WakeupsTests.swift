import ServiceKit
import Synchronization
import Testing

struct WakeupsTests {
    /// Nudges wake the job (many at once, several answered by one run), the interval wakes it when nobody nudges, and
    /// cancelling ends it.
    @Test func nudgesAndTicksWakeTheJobUntilCancelled() async throws {
        let wakeups = Wakeups()
        let runs = Atomic(0)
        let job = Task { await wakeups.run(every: .milliseconds(200)) { runs.add(1, ordering: .relaxed) } }
        for _ in 0..<2_000 { wakeups.nudge() }
        for _ in 0..<100 where runs.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let afterNudges = runs.load(ordering: .relaxed)
        #expect((1..<2_000).contains(afterNudges))
        // The interval's tick, waited for rather than timed: a loaded machine can delay it well past 200 ms.
        for _ in 0..<500 where runs.load(ordering: .relaxed) == afterNudges { try await Task.sleep(for: .milliseconds(10)) }
        #expect(runs.load(ordering: .relaxed) >= afterNudges + 1)
        job.cancel()
        await job.value
        let ended = runs.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(450))
        #expect(runs.load(ordering: .relaxed) == ended)
    }
}
