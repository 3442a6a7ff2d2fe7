import ServiceLifecycle

/// A round of work a service does again and again.
public protocol PeriodicWork: Sendable {
    /// One round; it logs its own failures, and the next round tries again.
    func runOnce() async
}

/// Runs `work` every `interval` once the service's schema is migrated, until the service shuts down.
public struct PeriodicJob: Service {
    let work: any PeriodicWork
    let interval: Duration
    let isMigrated: @Sendable () -> Bool

    public init(_ work: any PeriodicWork, every interval: Duration, isMigrated: @escaping @Sendable () -> Bool) {
        self.work = work
        self.interval = interval
        self.isMigrated = isMigrated
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if isMigrated() { await work.runOnce() }
                try await Task.sleep(for: interval)
            }
        }
    }
}
