import Foundation

/// Where a service reads the time of day for its rules (expiring holds and tokens, lockouts): the system clock,
/// or one a test moves forward, so that time-based rules are tested without waiting.
public struct WallClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = WallClock { Date() }
}
