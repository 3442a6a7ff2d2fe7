import Contracts
import Foundation

/// What a traveler gets back when they cancel a confirmed booking, by the experience's policy and how long before
/// the start they cancel. Halves round down to the minor unit. A provider's cancellation always refunds in full
/// (see ``BookingStateMachine``).
enum CancellationPolicy: String, Codable, Sendable, CaseIterable {
    /// Everything up to 24 hours before the start; nothing after.
    case flexible
    /// Everything up to 5 days before the start; half after.
    case moderate
    /// Half up to 7 days before the start; nothing after.
    case strict

    private static let hour: TimeInterval = 3600
    private static let day: TimeInterval = 86_400

    func refund(of paid: Money, startsAt: Date, cancelledAt: Date) -> Money {
        let notice = startsAt.timeIntervalSince(cancelledAt)
        let share: Share
        switch self {
        case .flexible: share = notice >= 24 * Self.hour ? .all : .none
        case .moderate: share = notice >= 5 * Self.day ? .all : .half
        case .strict: share = notice >= 7 * Self.day ? .half : .none
        }
        return Money(amount: share.of(paid.amount), currency: paid.currency)
    }

    private enum Share {
        case all, half, none

        func of(_ amount: Int64) -> Int64 {
            switch self {
            case .all: amount
            case .half: amount / 2
            case .none: 0
            }
        }
    }
}
