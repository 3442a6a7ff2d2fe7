import Synchronization

extension TextIndex {
    /// A query's state for every document in the index, zero between queries, kept for the next query rather than
    /// allocated and zeroed for each (900 kB for 100 000 documents, which also pushed the facts out of the cache).
    /// As many are kept as queries were matched at once, which is at most the threads that run tasks: a query is
    /// matched without suspending. Each is used by one query at a time.
    /// (Unchecked: plain buffers, handed from the lock to one query and back.)
    final class MatchState: @unchecked Sendable {
        let matched: UnsafeMutableBufferPointer<UInt8>
        let tallies: UnsafeMutableBufferPointer<Tally>
        private static let idle = Mutex<[MatchState]>([])

        private init(count: Int) {
            matched = .allocate(capacity: count)
            matched.initialize(repeating: 0)
            tallies = .allocate(capacity: count)
            tallies.initialize(repeating: Tally())
        }

        deinit {
            matched.deallocate()
            tallies.deallocate()
        }

        /// An idle state for at least `count` documents, or a new one.
        static func take(for count: Int) -> MatchState {
            let state = idle.withLock { $0.popLast() }
            guard let state, state.matched.count >= count else { return MatchState(count: max(count, 1)) }
            return state
        }

        /// Keeps `state`, zero again, for the next query.
        static func giveBack(_ state: MatchState) {
            idle.withLock { $0.append(state) }
        }
    }
}
