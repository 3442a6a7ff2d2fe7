import NIOConcurrencyHelpers

/// Facts about a request that inner layers learn and the access log reports: which upstream answered and how
/// long it took, and who the caller was. A reference, so that what a layer deep inside writes is seen outside.
public final class RequestNotes: Sendable {
    private struct Values {
        var upstream: String?
        var upstreamDuration: Duration?
        var userID: String?
    }

    private let values = NIOLockedValueBox(Values())

    public init() {}

    public var upstream: String? {
        get { values.withLockedValue { $0.upstream } }
        set { values.withLockedValue { $0.upstream = newValue } }
    }

    public var upstreamDuration: Duration? {
        get { values.withLockedValue { $0.upstreamDuration } }
        set { values.withLockedValue { $0.upstreamDuration = newValue } }
    }

    public var userID: String? {
        get { values.withLockedValue { $0.userID } }
        set { values.withLockedValue { $0.userID = newValue } }
    }
}
