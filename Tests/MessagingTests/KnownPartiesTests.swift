import Foundation
import Testing

@testable import Messaging

@Suite struct KnownPartiesTests {
    private func parties(_ title: String) -> ConversationParties {
        ConversationParties(
            id: UUID(), experienceTitle: title,
            participants: [.init(userId: UUID(), role: .traveler, name: "Ana"), .init(userId: UUID(), role: .provider, name: "Luis")])
    }

    @Test func keepsWhatItWasToldUpToItsLimitThenStartsAfresh() {
        let known = KnownParties(limit: 2)
        let (first, second, third) = (parties("Cenote"), parties("Ruins"), parties("Market"))
        known.remember(first)
        known.remember(second)
        #expect(known[first.id] == first)
        #expect(known[second.id] == second)
        #expect(known[third.id] == nil)
        known.remember(third)
        #expect(known[third.id] == third)
        #expect(known[first.id] == nil && known[second.id] == nil)
    }
}
