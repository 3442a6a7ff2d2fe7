import Contracts
import Foundation

/// A movement of money at the payment provider. Payment never calls the provider inside a transaction: the call is
/// claimed on the payment (one claim at a time, so that nothing else moves that payment's money meanwhile), sent
/// with no transaction open, then applied to the ledger, or dropped when the provider refuses it. Its idempotency
/// key makes sending it again, after a crash or from another instance, the same request at the provider.
enum ProviderCall: Codable, Sendable, Equatable {
    /// `amount` goes back to the traveler's card.
    case refund(amount: Int64, reason: String, key: String)
    /// What is held goes to the provider's connected account and the commission.
    case release(Split, key: String)

    /// Gives back up to `amount` of a paid `payment`, never more than it holds; `nil` when nothing is left.
    static func refund(of payment: Payment, upTo amount: Int64, reason: String) -> ProviderCall? {
        let refundable = min(amount, payment.held)
        guard refundable > 0 else { return nil }
        // Keyed by the total refunded after this one: a retry of the same refund is the same request.
        let key = "refund-\(payment.id.lowercasedString)-\(payment.refunded.amount + refundable)"
        return .refund(amount: refundable, reason: reason, key: key)
    }

    /// Releases what a paid `payment` still holds, once.
    static func release(of payment: Payment, commissionBasisPoints: Int) -> ProviderCall {
        .release(Split(payment.held, commissionBasisPoints: commissionBasisPoints), key: "release-\(payment.id.lowercasedString)")
    }
}
