import Contracts
import ServiceKit

/// How a caller is concerned by a booking.
enum BookingParty: Equatable {
    case traveler, provider

    /// The caller's part in `booking`: its traveler, its provider (admins act as the provider), or none.
    init?(_ identity: Identity, of booking: Booking) {
        if identity.userID == booking.travelerId {
            self = .traveler
        } else if identity.userID == booking.providerId || identity.role == .admin {
            self = .provider
        } else {
            return nil
        }
    }
}
