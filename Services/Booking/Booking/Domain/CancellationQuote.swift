import Contracts
import Foundation
import Hummingbird

/// What cancelling a booking now would give back, shown to the person before they confirm: the policy it was booked
/// under and the refund that policy (or the provider's cancellation, always in full) gives at this moment.
struct CancellationQuote: ResponseCodable, Sendable, Equatable {
    var bookingId: UUID
    var cancellationPolicy: CancellationPolicy
    var paid: Money
    var refund: Money
    var quotedAt: Date
}
