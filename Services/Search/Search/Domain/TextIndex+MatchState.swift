import Synchronization

extension TextIndex {
    /// A query's state for every document in the index, kept for the next query rather than allocated and zeroed for
    /// each (a megabyte for 100 000 documents, which also pushed the facts out of the cache). As many are kept as
    /// queries were matched at once, which is at most the threads that run tasks: a query is matched without
    /// suspending. Each is used by one query at a time.
    /// (Unchecked: plain buffers, handed from the lock to one query and back.)
    final class MatchState: @unchecked Sendable {
        /// How far each document got: `n` after it matched the first `n` groups, `n + 1` while group `n` is walked
        /// once one of its terms found it. Zero between queries.
        let matched: UnsafeMutableBufferPointer<UInt8>
        /// The best weight a document has in the group being walked, set when the group first finds it: read at every
        /// posting, so kept apart from `total` to keep what a walk touches at random small.
        let best: UnsafeMutableBufferPointer<Float>
        /// The sum of the groups' best weights so far, set when the first group ends.
        let total: UnsafeMutableBufferPointer<Float>
        /// The documents the first group found, and those the group being walked found, in the order found.
        let first: UnsafeMutableBufferPointer<Int32>
        let found: UnsafeMutableBufferPointer<Int32>
        private static let idle = Mutex<[MatchState]>([])

        private init(count: Int) {
            matched = .allocate(capacity: count)
            matched.initialize(repeating: 0)
            best = .allocate(capacity: count)
            best.initialize(repeating: 0)
            total = .allocate(capacity: count)
            total.initialize(repeating: 0)
            first = .allocate(capacity: count)
            first.initialize(repeating: 0)
            found = .allocate(capacity: count)
            found.initialize(repeating: 0)
        }

        deinit {
            matched.deallocate()
            best.deallocate()
            total.deallocate()
            first.deallocate()
            found.deallocate()
        }

        /// An idle state for at least `count` documents, or a new one.
        static func take(for count: Int) -> MatchState {
            let state = idle.withLock { $0.popLast() }
            guard let state, state.matched.count >= count else { return MatchState(count: max(count, 1)) }
            return state
        }

        /// Keeps `state`, with every `matched` zero again, for the next query.
        static func giveBack(_ state: MatchState) {
            idle.withLock { $0.append(state) }
        }
    }
}
