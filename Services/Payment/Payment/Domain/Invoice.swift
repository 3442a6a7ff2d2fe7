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

/// Minor units as people read them: the currency's exponent (JPY 0, KWD 3, most 2).
enum MoneyFormat {
    static func exponent(of currency: String) -> Int {
        switch currency {
        case "JPY", "KRW", "CLP", "VND", "ISK", "XOF", "XAF", "UGX", "PYG": 0
        case "KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD": 3
        default: 2
        }
    }

    static func string(_ money: Money) -> String {
        let exponent = exponent(of: money.currency)
        let sign = money.amount < 0 ? "-" : ""
        let magnitude = money.amount.magnitude
        guard exponent > 0 else { return "\(sign)\(magnitude) \(money.currency)" }
        let divisor = UInt64(pow(10, Double(exponent)))
        let fraction = String(magnitude % divisor)
        return "\(sign)\(magnitude / divisor).\(String(repeating: "0", count: exponent - fraction.count))\(fraction) \(money.currency)"
    }
}
