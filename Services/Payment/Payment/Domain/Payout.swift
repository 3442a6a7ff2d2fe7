import Contracts
import Foundation
import Hummingbird

/// Money sent from a provider's balance to their bank account.
struct Payout: ResponseCodable, Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        /// Taken from the balance, on its way to the bank.
        case pending
        /// The bank has it.
        case paid
        /// The bank did not take it: the money went back to the balance for the next round.
        case failed
    }

    var id: UUID
    var providerId: UUID
    /// What left the provider's balance.
    var amount: Money
    /// What reached their bank: `amount` converted to their payout currency when they chose another one.
    var paid: Money
    /// The configured rate used, as text to keep every digit (`nil` without a conversion).
    var rate: String?
    var status: Status
    /// Why it failed, in the provider's words (`account_closed`).
    var failure: String?
    var createdAt: Date
}
