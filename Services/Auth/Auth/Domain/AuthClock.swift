import Foundation

/// Where Auth reads the time: the system clock, or a clock a test moves (lockouts and expiring tokens are
/// tested without waiting).
public struct AuthClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = AuthClock { Date() }
}
