import Foundation
import NIOConcurrencyHelpers

/// The parties of the conversations this instance has looked up, shared by its sockets and routes. A conversation's
/// parties never change once it is made (nothing updates or deletes `members`, nor a conversation's title), so none
/// of these goes stale. At most `limit` are kept; when full, all are let go, and those still in use are looked up
/// again on their next frame.
final class KnownParties: Sendable {
    private let parties = NIOLockedValueBox([UUID: ConversationParties]())
    private let limit: Int

    init(limit: Int = 20_000) {
        self.limit = limit
    }

    subscript(id: UUID) -> ConversationParties? {
        parties.withLockedValue { $0[id] }
    }

    func remember(_ conversation: ConversationParties) {
        parties.withLockedValue { parties in
            if parties.count >= limit { parties.removeAll(keepingCapacity: true) }
            parties[conversation.id] = conversation
        }
    }
}
