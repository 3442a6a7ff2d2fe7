import ServiceLifecycle
import Synchronization

/// The first part of a service's group, so the last to be asked to stop: if the group is cancelled before its turn
/// comes, a graceful stop outlasted its timeout (or a part failed, which the group reports itself). ServiceLifecycle
/// cancels what is left quietly, and the servers then end as if nothing had been lost: this is how the process
/// knows otherwise.
final class StopWitness: Service, Sendable {
    private let cancelled = Atomic(false)

    func run() async {
        do {
            try await gracefulShutdown()
        } catch {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    /// Whether the group was cancelled before every other part had stopped by itself.
    var cutShort: Bool { cancelled.load(ordering: .relaxed) }
}
