/// When a background job looks for work: at once when nudged (several nudges before it looks count as one), and every
/// `interval` for work nobody announced.
///
/// Not AsyncAlgorithms' `merge` of a timer and a stream: it holds a lock while its task suspends, trusting the
/// continuation's closure to run at once. Where the tasks run on NIO's event loops, that closure waits on the loop
/// behind whatever job is next, and the next job (the merge's own reading of the stream) waits for the lock: the loop
/// stops for good (swift-async-algorithms issue 430; a Booking instance stopped answering in CI so).
public struct Wakeups: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func nudge() {
        continuation.yield()
    }

    /// Runs `body` at each wake-up, one at a time, until the task is cancelled. Called once: the nudges have one reader.
    public func run(every interval: Duration, _ body: () async -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask { [continuation] in
                while (try? await Task.sleep(for: interval)) != nil { continuation.yield() }
            }
            for await _ in stream { await body() }
            group.cancelAll()
        }
    }
}
