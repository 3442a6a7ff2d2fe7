import NIOConcurrencyHelpers
import ServiceKit

/// What this instance has added to a table that only grows (the lexicon, the completions), so that it is not offered
/// again: the feed's experiences bring the same cities, tags and words far more often than new ones, and PostgreSQL
/// checking each again against the table was a sixth of its work on the feed. At most `limit` are remembered
/// (``BoundedCache``); one forgotten is offered again, which changes nothing.
final class Learnt<Key: Hashable & Sendable>: Sendable {
    private let known: NIOLockedValueBox<BoundedCache<Key, Bool>>

    init(limit: Int = 100_000) {
        known = NIOLockedValueBox(BoundedCache(limit: limit))
    }

    /// Those of `keys` not yet written.
    func unknown(_ keys: some Sequence<Key>) -> [Key] {
        known.withLockedValue { known in keys.filter { known[$0] == nil } }
    }

    /// Notes that `keys` are written: call once their statement committed.
    func remember(_ keys: [Key]) {
        known.withLockedValue { known in
            for key in keys { known[key] = true }
        }
    }
}
