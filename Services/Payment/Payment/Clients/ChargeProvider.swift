import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// Where the money really moves, chosen by `PAYMENT_PROVIDER`: Stripe, or the local test-card provider. Every
/// call carries an idempotency key, so that a retry after a timeout never moves money twice.
protocol ChargeProvider: Sendable {
    /// Whether travelers pay through `POST /api/v1/payments/{id}/confirm` with a test card (the local provider);
    /// with Stripe they confirm with Stripe.js and the webhook reports the result.
    var confirmsTestCards: Bool { get }

    /// Makes the provider's charge for `payment` (Stripe: a PaymentIntent); the same payment gives the same charge.
    func createCharge(for payment: Payment) async throws -> ProviderCharge

    /// Gives `amount` of the charge `reference` back to the traveler.
    func refund(_ amount: Money, of reference: String, idempotencyKey: String) async throws

    /// Sends the provider's share of a released payment to their connected account.
    func transfer(_ amount: Money, to providerID: UUID, for payment: Payment, idempotencyKey: String) async throws

    /// Sends `payout.paid` to the provider's bank (Stripe: a payout of their connected account), keyed by the
    /// payout's id so that sending it again is harmless. The local provider's payouts arrive at once.
    func send(_ payout: Payout) async throws -> ProviderPayout

    /// What became of the provider's payouts made since `since`, for those whose webhook never came.
    func payouts(of providerID: UUID, since: Date) async throws -> [ProviderPayout]

    /// The provider's events about charges (`types`) created since `since`, oldest first, each as its JSON, for
    /// webhooks that never came; the local provider sends none.
    func events(_ types: [String], since: Date) async throws -> [Data]

    /// A link where the provider sets up where their money goes, making their connected account if `account` is
    /// `nil`; `nil` when the provider needs none (the local provider).
    func onboard(_ providerID: UUID, account: String?, returnURL: URL) async throws -> (account: String, url: String)?
}

struct ProviderCharge: Sendable, Equatable {
    var reference: String
    var clientSecret: String
}

/// A payout as the provider sees it.
struct ProviderPayout: Sendable, Equatable {
    /// The provider's id (`po_…`); `nil` when it refused the payout before making one.
    var reference: String?
    /// MayaGo's payout, from the metadata; `nil` for payouts made elsewhere.
    var payoutID: UUID?
    var status: Payout.Status
    var failure: String?
}

/// The provider said no; the message is safe to show. Clients get a 502 naming the provider's code.
struct ProviderError: Error, CustomStringConvertible, ProblemConvertible {
    var status: Int
    var code: String?
    var description: String

    /// Whether asking again cannot help: a 4xx other than a conflict (a concurrent request) or a rate limit.
    var isRefusal: Bool { (400..<500).contains(status) && status != 409 && status != 429 }

    var problem: Problem {
        Problem(.badGateway, detail: "The payment provider refused: \(description)", code: code)
    }
}

/// The development provider: Stripe's test cards, nothing leaves the machine.
struct LocalProvider: ChargeProvider {
    var confirmsTestCards: Bool { true }

    func createCharge(for payment: Payment) async throws -> ProviderCharge {
        let reference = "pi_local_\(payment.id.lowercasedString.replacingOccurrences(of: "-", with: ""))"
        return ProviderCharge(reference: reference, clientSecret: "\(reference)_secret_\(UUID.random().uuidString.prefix(8).lowercased())")
    }

    func refund(_ amount: Money, of reference: String, idempotencyKey: String) async throws {}

    func transfer(_ amount: Money, to providerID: UUID, for payment: Payment, idempotencyKey: String) async throws {}

    func send(_ payout: Payout) async throws -> ProviderPayout {
        ProviderPayout(reference: "po_local_\(payout.id.lowercasedString.replacingOccurrences(of: "-", with: ""))", payoutID: payout.id, status: .paid)
    }

    func payouts(of providerID: UUID, since: Date) async throws -> [ProviderPayout] { [] }

    func events(_ types: [String], since: Date) async throws -> [Data] { [] }

    func onboard(_ providerID: UUID, account: String?, returnURL: URL) async throws -> (account: String, url: String)? { nil }
}
