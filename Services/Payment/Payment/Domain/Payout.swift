import Contracts
import Foundation
import Hummingbird

/// Money sent from a provider's balance to their bank account.
struct Payout: ResponseCodable, Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        case paid
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
    var createdAt: Date
}
