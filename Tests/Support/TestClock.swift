import Foundation
import NIOConcurrencyHelpers
import ServiceKit

/// A clock the tests move forward.
public final class TestClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)

    public init() {}

    public func advance(by seconds: TimeInterval) {
        offset.withLockedValue { $0 += seconds }
    }

    public var clock: WallClock {
        WallClock { [offset] in Date().addingTimeInterval(offset.withLockedValue { $0 }) }
    }
}
