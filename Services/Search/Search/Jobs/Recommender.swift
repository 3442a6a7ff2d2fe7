import Foundation
import Logging
import ServiceKit

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
        } catch {
            logger.warning("Recommendations not recomputed; trying next round", metadata: ["error": "\(error)"])
        }
    }

    func recompute() async throws {
        let content = ContentSimilarity(try await recommendations.corpus())
        var byContent: [UUID: [(UUID, Double)]] = [:]
        for id in content.vectors.keys {
            let nearest = content.nearest(to: id, limit: 10)
            if !nearest.isEmpty { byContent[id] = nearest }
        }
        let byBookings = CoBookings.similarity(try await recommendations.bookings()).mapValues { Array($0.prefix(10)) }
        try await recommendations.replace(["content": byContent, "co-booking": byBookings])
        try await documents.weighCompletions()
    }
}
