import Contracts
import Foundation
import Hummingbird

/// A booking's payment as the API shows it.
struct Payment: ResponseCodable, Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        /// Waiting for the traveler's card.
        case requiresPayment = "requires_payment"
        /// The card's bank asks the traveler to authenticate (3-D Secure): `nextAction` says how.
        case requiresAction = "requires_action"
        /// Paid and held in escrow.
        case succeeded
        /// The experience took place; the provider's share is in their balance.
        case released
    }

    var id: UUID
    var bookingId: UUID
    var travelerId: UUID
    var providerId: UUID
    var amount: Money
    var refunded: Money
    /// Taken back by the traveler's bank in a dispute (a chargeback).
    var disputed: Money
    var status: Status
    var description: String
    /// For the provider's own confirmation page (Stripe.js with the Stripe provider).
    var clientSecret: String
    var lastError: String?
    /// What the traveler's client must do before the payment can succeed (3-D Secure), while `requires_action`.
    var nextAction: NextAction?
    var createdAt: Date
    var updatedAt: Date

    /// What is still the platform's to release or refund.
    var held: Int64 { amount.amount - refunded.amount - disputed.amount }

    /// Whether the money has yet to arrive.
    var isUnpaid: Bool { status == .requiresPayment || status == .requiresAction }
}

/// How the traveler authenticates a payment, as Stripe's `next_action` says it: Stripe.js handles `use_stripe_sdk`
/// itself with the `clientSecret`; `redirect_to_url` sends the traveler to the bank's page.
struct NextAction: Codable, Sendable, Equatable {
    var type: String
    var redirectUrl: String?
}

extension Payment {
    /// The payment Booking asks for, waiting for the traveler's card.
    init(_ request: BookingPayments.PaymentRequest, at now: Date) {
        let nothing = Money(amount: 0, currency: request.amount.currency)
        self.init(
            id: UUID.random(), bookingId: request.bookingId, travelerId: request.travelerId, providerId: request.providerId, amount: request.amount,
            refunded: nothing, disputed: nothing, status: .requiresPayment, description: String(request.description.prefix(500)),
            clientSecret: "", lastError: nil, nextAction: nil, createdAt: now, updatedAt: now
        )
    }
}
