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
        case .blackoutDate: Problem.conflict("The provider takes no bookings on this date.", code: "blackout_date")
        case .minimumNotice(let hours):
            Problem.conflict("This experience must be booked at least \(hours) hours before it starts (minimumNoticeHours).", code: "minimum_notice")
        case .bookingWindow(let days):
            Problem.conflict("This experience can be booked at most \(days) days ahead (bookingWindowDays).", code: "booking_window")
        case .maxBookingsPerDay(let maximum):
            Problem.conflict("This experience takes at most \(maximum) bookings a day (maxBookingsPerDay).", code: "max_bookings_per_day")
        case .buffer(let minutes):
            Problem.conflict("The provider keeps \(minutes) minutes free between bookings (bufferMinutes).", code: "buffer_between_bookings")
        }
    }
}
