import Contracts
import Foundation
import Hummingbird

/// A payment's invoice, as its traveler (a receipt) or its provider (with the commission and what they net) sees it.
struct Invoice: ResponseCodable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable {
        var description: String
        var amount: Money
    }

    enum Audience: String, Codable, Sendable {
        case traveler, provider
    }

    var id: UUID
    /// Given within about a second of the payment.
    var number: String?
    var issuedAt: Date
    var paymentId: UUID
    var bookingId: UUID
    var audience: Audience
    var lines: [Line]
    var total: Money
    var refunded: Money
    /// For the provider: the platform's commission on what was not refunded, and what is left for them.
    var commission: Money?
    var net: Money?

    init(id: UUID, number: String?, issuedAt: Date, payment: Payment, audience: Audience, commissionBasisPoints: Int) {
        self.id = id
        self.number = number
        self.issuedAt = issuedAt
        paymentId = payment.id
        bookingId = payment.bookingId
        self.audience = audience
        lines = [Line(description: payment.description, amount: payment.amount)]
        total = payment.amount
        refunded = payment.refunded
        if audience == .provider {
            let split = Split(payment.held, commissionBasisPoints: commissionBasisPoints)
            commission = Money(amount: split.platform, currency: payment.amount.currency)
            net = Money(amount: split.provider, currency: payment.amount.currency)
        }
    }
}
