import Contracts
import Foundation

/// Double-entry bookkeeping: every movement of money is one transaction of postings that sum to zero in each
/// currency. Balances are sums of postings; nothing is updated or deleted.
enum Ledger {
    /// Where money sits. Positive postings add to an account, negative ones take from it.
    enum Account: Hashable, Sendable, CustomStringConvertible {
        /// Money coming in from travelers' cards (negative: what they paid).
        case cards
        /// Held for bookings that have not taken place yet.
        case escrow
        /// The platform's commission.
        case commission
        /// What the platform owes a provider.
        case provider(UUID)
        /// Money sent out to providers' bank accounts.
        case payouts
        /// Money travelers' banks took back in disputes.
        case disputes

        var description: String {
            switch self {
            case .cards: "external:cards"
            case .escrow: "escrow"
            case .commission: "platform:commission"
            case .provider(let id): "provider:\(id.lowercasedString)"
            case .payouts: "external:payouts"
            case .disputes: "external:disputes"
            }
        }
    }

    struct Posting: Sendable, Equatable {
        var account: Account
        var amount: Int64
        var currency: String
    }

    enum Kind: String, Sendable {
        case charge, release, refund, payout, dispute
        case payoutReturned = "payout_returned"
        case disputeWon = "dispute_won"
    }

    struct Transaction: Sendable, Equatable {
        let kind: Kind
        let postings: [Posting]

        /// `nil` unless the postings balance in every currency.
        init?(_ kind: Kind, _ postings: [Posting]) {
            let sums = Dictionary(grouping: postings, by: \.currency).mapValues { $0.reduce(0) { $0 + $1.amount } }
            guard !postings.isEmpty, sums.values.allSatisfy({ $0 == 0 }) else { return nil }
            self.kind = kind
            self.postings = postings.filter { $0.amount != 0 }
        }
    }

    /// The traveler's money arrives and is held.
    static func charge(_ amount: Int64, _ currency: String) -> Transaction {
        Transaction(.charge, [.init(account: .cards, amount: -amount, currency: currency), .init(account: .escrow, amount: amount, currency: currency)])!
    }

    /// The experience took place: what is held goes to the provider and the commission.
    static func release(_ split: Split, to provider: UUID, _ currency: String) -> Transaction {
        Transaction(
            .release,
            [
                .init(account: .escrow, amount: -(split.provider + split.platform), currency: currency),
                .init(account: .provider(provider), amount: split.provider, currency: currency),
                .init(account: .commission, amount: split.platform, currency: currency),
            ])!
    }

    /// A provider's balance goes to their bank account.
    static func payout(_ amount: Int64, _ currency: String, to provider: UUID) -> Transaction {
        Transaction(
            .payout, [.init(account: .provider(provider), amount: -amount, currency: currency), .init(account: .payouts, amount: amount, currency: currency)])!
    }

    /// A payout the bank did not take: the money is the provider's again, paid in a later round.
    static func payoutReturned(_ amount: Int64, _ currency: String, to provider: UUID) -> Transaction {
        Transaction(
            .payoutReturned,
            [.init(account: .payouts, amount: -amount, currency: currency), .init(account: .provider(provider), amount: amount, currency: currency)])!
    }

    /// The traveler's bank took money back: out of escrow before release, out of the provider's balance after it.
    static func dispute(_ amount: Int64, _ currency: String, from account: Account) -> Transaction {
        Transaction(.dispute, [.init(account: account, amount: -amount, currency: currency), .init(account: .disputes, amount: amount, currency: currency)])!
    }

    /// A dispute the platform won: the bank gives the money back, into `account`.
    static func disputeWon(_ amount: Int64, _ currency: String, to account: Account) -> Transaction {
        Transaction(
            .disputeWon, [.init(account: .disputes, amount: -amount, currency: currency), .init(account: account, amount: amount, currency: currency)])!
    }

    /// Money back to the traveler: out of escrow before release, out of the provider's balance after it (which may
    /// go negative and is netted from the next payout).
    static func refund(_ amount: Int64, _ currency: String, from account: Account) -> Transaction {
        Transaction(.refund, [.init(account: account, amount: -amount, currency: currency), .init(account: .cards, amount: amount, currency: currency)])!
    }
}
