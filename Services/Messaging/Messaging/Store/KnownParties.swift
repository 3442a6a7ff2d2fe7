import Foundation
import NIOConcurrencyHelpers
import ServiceKit

/// The parties of the conversations this instance has looked up, shared by its sockets and routes. A conversation's
/// parties never change once it is made (nothing updates or deletes `members`, nor a conversation's title), so none
/// of these goes stale. At most `limit` are kept (``BoundedCache``): those not used for a while are let go, and
/// looked up again on their next frame.
final class KnownParties: Sendable {
    private let parties: NIOLockedValueBox<BoundedCache<UUID, ConversationParties>>

    init(limit: Int = 20_000) {
        parties = NIOLockedValueBox(BoundedCache(limit: limit))
    }

    subscript(id: UUID) -> ConversationParties? {
        parties.withLockedValue { $0[id] }
    }

    func remember(_ conversation: ConversationParties) {
        parties.withLockedValue { $0[conversation.id] = conversation }
    }
}
