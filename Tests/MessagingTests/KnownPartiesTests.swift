import Foundation
import Testing

@testable import Messaging

@Suite struct KnownPartiesTests {
    private func parties(_ title: String) -> ConversationParties {
        ConversationParties(
            id: UUID(), experienceTitle: title,
            participants: [.init(userId: UUID(), role: .traveler, name: "Ana"), .init(userId: UUID(), role: .provider, name: "Luis")])
    }

    /// It keeps the latest it was told, up to its limit (how it lets go is ``BoundedCache``'s, tested there).
    @Test func keepsTheLatestItWasToldWithinItsLimit() {
        let known = KnownParties(limit: 2)
        let all = (0..<5).map { parties("Experience \($0)") }
        for each in all { known.remember(each) }
        #expect(known[all[4].id] == all[4])
        #expect(known[all[3].id] == all[3])
        #expect(known[all[0].id] == nil && known[all[2].id] == nil)
    }
}
