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
    var amount: Money
    var status: Status
    var createdAt: Date
}
