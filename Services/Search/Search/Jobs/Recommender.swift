import Foundation
import Logging
import NIOPosix
import ServiceKit
import Synchronization

/// Recomputes what comes from the whole index each round, off the query and feed paths: every experience's
/// neighbours (content similarity over the published documents and co-booking similarity over who booked what,
/// the ten nearest of each) and the completions' weights.
struct Recommender: PeriodicWork {
    let recommendations: Recommendations
    let documents: Documents
    let logger: Logger

    func runOnce() async {
        do {
            try await recompute()
        } catch is CancellationError {
            // Shutting down.
        } catch {
            logger.warning("Recommendations not recomputed; trying next round", metadata: ["error": "\(error)"])
        }
    }

    func recompute() async throws {
        let (corpus, bookings) = (try await recommendations.corpus(), try await recommendations.bookings())
        // Long work (about a minute of a core for bench/search's 100 000 documents), so on a pool's thread: never on
        // the event loops, which are Swift's executor here and would answer none of their connections meanwhile.
        // Shutting down stops it between two documents.
        let stop = StopFlag()
        let lists = try await withTaskCancellationHandler {
            try await NIOThreadPool.singleton.runIfActive { try Self.neighbours(corpus, bookings, unless: stop) }
        } onCancel: {
            stop.raise()
        }
        try await recommendations.replace(lists)
        try await documents.weighCompletions()
    }

    /// Each experience's ten nearest, by content and by co-booking.
    static func neighbours(
        _ corpus: [ContentSimilarity.Document], _ bookings: [(traveler: UUID, experience: UUID)], unless stop: StopFlag
    ) throws -> [String: [UUID: [(UUID, Double)]]] {
        let byContent = try ContentSimilarity(corpus).allNearest(limit: 10) { stop.isRaised }
        return ["content": byContent, "co-booking": CoBookings.similarity(bookings).mapValues { Array($0.prefix(10)) }]
    }
}

/// Raised by the task that waits, read by the thread that works.
final class StopFlag: Sendable {
    private let raised = Atomic(false)

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    func raise() { raised.store(true, ordering: .relaxed) }
}
