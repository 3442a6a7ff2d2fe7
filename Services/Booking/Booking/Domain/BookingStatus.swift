/// Where a booking stands. The transitions between these live in ``BookingStateMachine`` only.
enum BookingStatus: String, Codable, Sendable, CaseIterable {
    /// Seats held; waiting for the traveler's payment, until the hold expires.
    case pendingPayment = "pending_payment"
    /// Paid; a request-to-book waiting for the provider's answer.
    case awaitingProvider = "awaiting_provider"
    case confirmed
    case completed
    case declined
    case cancelledByTraveler = "cancelled_by_traveler"
    case cancelledByProvider = "cancelled_by_provider"
    /// Never paid: the hold ran out or the payment failed.
    case expired

    /// Whether the booking's seats are taken from its slot.
    var holdsSeats: Bool {
        switch self {
        case .pendingPayment, .awaitingProvider, .confirmed, .completed: true
        case .declined, .cancelledByTraveler, .cancelledByProvider, .expired: false
        }
    }
}
