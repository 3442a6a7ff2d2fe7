/// The local provider's cards: Stripe's test numbers, so that the demo and the tests pay like Stripe's test mode.
enum TestCard {
    enum Outcome: Equatable, Sendable {
        case succeeded
        case declined(code: String, message: String)
    }

    /// What paying with `number` does, or `nil` if it is not one of the test cards.
    static func outcome(of number: String) -> Outcome? {
        switch number.filter(\.isNumber) {
        case "4242424242424242", "5555555555554444": .succeeded
        case "4000000000000002": .declined(code: "card_declined", message: "Your card was declined.")
        case "4000000000009995": .declined(code: "insufficient_funds", message: "Your card has insufficient funds.")
        default: nil
        }
    }
}
