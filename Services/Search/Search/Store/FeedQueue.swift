import Contracts
import Foundation
import ServiceKit

/// Applies Booking's feed in batches: the events that arrive while a batch is applied make the next, so that the
/// outbox, which sends up to fifty at once, pays one transaction and one read of the index for all of them rather
/// than one each. Each sender hears back once its event is searchable on this instance.
actor FeedQueue {
    /// At most this many events share a transaction (and the advisory locks it holds).
    static let batchSize = 64
    /// Batches applied at once: while one waits on PostgreSQL, the other's events are read into the index.
    static let drains = 2

    private let documents: Documents
    private let follower: IndexFollower
    private let clock: WallClock
    private var waiting: [(event: SearchFeedEvent, reply: CheckedContinuation<Void, any Error>)] = []
    private var draining = 0

    init(documents: Documents, follower: IndexFollower, clock: WallClock) {
        self.documents = documents
        self.follower = follower
        self.clock = clock
    }

    func apply(_ event: SearchFeedEvent) async throws {
        try await withCheckedThrowingContinuation { reply in
            waiting.append((event, reply))
            if draining < Self.drains {
                draining += 1
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = waiting.prefix(Self.batchSize)
            waiting.removeFirst(batch.count)
            for (entry, outcome) in zip(batch, await outcomes(of: batch.map(\.event))) { entry.reply.resume(with: outcome) }
        }
        draining -= 1
    }

    /// The batch's outcome for each event; when the batch fails, each half's, and so on down to the events that fail
    /// alone, so that one event PostgreSQL refuses (or a deadlock with another instance's batch) fails no other sender,
    /// in a dozen transactions for a batch of 64 rather than one per event.
    private func outcomes(of events: [SearchFeedEvent]) async -> [Result<Void, any Error>] {
        do {
            try await apply(events)
            return events.map { _ in .success(()) }
        } catch {
            guard events.count > 1 else { return [.failure(error)] }
            let half = events.count / 2
            return await outcomes(of: Array(events[..<half])) + outcomes(of: Array(events[half...]))
        }
    }

    /// Writes `events`, then lets the index follow while their words are learnt: both after the commit, neither
    /// waiting on the other.
    private func apply(_ events: [SearchFeedEvent]) async throws {
        let written = try await documents.write(events, at: clock.now())
        async let learnt: Void = documents.learn(written)
        if written.changed { try await follower.catchUp() }
        try await learnt
    }
}
