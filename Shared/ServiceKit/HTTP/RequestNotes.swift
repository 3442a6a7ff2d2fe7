import NIOConcurrencyHelpers

/// Facts about a request that inner layers learn and the access log reports: who the caller was. A reference, so
/// that what a layer deep inside writes is seen outside.
public final class RequestNotes: Sendable {
    private let caller = NIOLockedValueBox<String?>(nil)

    public init() {}

    public var userID: String? {
        get { caller.withLockedValue { $0 } }
        set { caller.withLockedValue { $0 = newValue } }
    }
}
