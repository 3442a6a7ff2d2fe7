import Contracts
import Foundation

/// A slot as a request to book meets it: the slot, and what of its experience and provider decides whether it can
/// be booked and for how much.
struct BookableSlot: Sendable {
    var slot: Slot
    var providerID: UUID
    var experienceStatus: Experience.Status?
    var title: String
    var maxGuests: Int
    var price: Money
    var cancellationPolicy: CancellationPolicy
    var timeZone: String
    var rules: BookingRules
    /// Whether the slot starts on one of the experience's blackout dates.
    var blackedOut: Bool
    /// Whether the provider's imported calendar is busy during the slot.
    var providerBusy: Bool
    /// Bookings of the experience that hold seats on the slot's local day: counted under the day's lock when the
    /// experience limits bookings per day, 0 until then.
    var bookedThatDay = 0
    /// Whether another slot of the provider with seats sold lies within the rules' buffer of this one.
    var bufferClash: Bool

    /// Why `guests` cannot book this slot at `now`, or `nil` if they can as far as can be told before the seats are
    /// taken (taking them checks the seats again, under the slot's lock).
    func refusal(guests: Int, at now: Date) -> BookingRefusal? {
        guard experienceStatus == .published else { return .notPublished }
        guard guests <= maxGuests else { return .tooManyGuests(maximum: maxGuests) }
        guard slot.status == .open, slot.startsAt > now else { return .slotClosed }
        guard !blackedOut else { return .blackoutDate }
        if let refusal = rules.refusal(startingAt: slot.startsAt, at: now, bookedThatDay: bookedThatDay, bufferClash: bufferClash) { return refusal }
        guard !providerBusy else { return .providerBusy }
        guard slot.remaining >= guests else { return .notEnoughSeats }
        return nil
    }

    /// What `guests` seats cost: the experience's price per person.
    func total(guests: Int) -> Money {
        Money(amount: price.amount * Int64(guests), currency: price.currency)
    }
}

/// Why a slot cannot be booked.
enum BookingRefusal: Error, Equatable {
    case notPublished
    case tooManyGuests(maximum: Int)
    case slotClosed
    case providerBusy
    case notEnoughSeats
    case blackoutDate
    case minimumNotice(hours: Int)
    case bookingWindow(days: Int)
    case maxBookingsPerDay(Int)
    case buffer(minutes: Int)
}
