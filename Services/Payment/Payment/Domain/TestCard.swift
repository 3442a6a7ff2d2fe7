/// The local provider's cards: Stripe's test numbers, so that the demo and the tests pay like Stripe's test mode.
enum TestCard {
    enum Outcome: Equatable, Sendable {
        case succeeded
        case declined(code: String, message: String)
        /// The bank wants 3-D Secure: the payment waits for the traveler to authenticate.
        case requiresAction
    }

    /// What paying with `number` does, or `nil` if it is not one of the test cards.
    static func outcome(of number: String) -> Outcome? {
        switch number.filter(\.isNumber) {
        case "4242424242424242", "5555555555554444": .succeeded
        case "4000000000000002": .declined(code: "card_declined", message: "Your card was declined.")
        case "4000000000009995": .declined(code: "insufficient_funds", message: "Your card has insufficient funds.")
        case "4000002760003184", "4000002500003155": .requiresAction
        default: nil
        }
    }
}
