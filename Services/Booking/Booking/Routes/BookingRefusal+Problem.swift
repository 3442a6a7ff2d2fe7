import ServiceKit

/// A refused booking as its client reads it: a field that the document cannot constrain (422), or a slot that
/// cannot be booked now (409).
extension BookingRefusal: ProblemConvertible {
    var problem: Problem {
        switch self {
        case .notPublished: Problem.refused("slotId", "is not a slot of a published experience")
        case .tooManyGuests(let maximum): Problem.refused("guests", "must be at most \(maximum) for this experience")
        case .slotClosed: Problem.conflict("This slot cannot be booked any more.", code: "slot_closed")
        case .providerBusy: Problem.conflict("The provider is not available at this time.", code: "provider_busy")
        case .notEnoughSeats: Problem.conflict("Not enough seats left on this slot.", code: "not_enough_seats")
        }
    }
}
