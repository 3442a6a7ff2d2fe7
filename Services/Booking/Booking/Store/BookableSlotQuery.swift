import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// What booking a slot needs to know, in one round trip (``Slots/bookable(_:on:)``). Prepared once per connection:
/// planning it took PostgreSQL longer than running it (EXPLAIN ANALYZE under the booking bench: 1.3 ms against 0.3).
///
/// A day's bookings are counted apart, under the day's lock, and only for an experience with a limit per day
/// (``Bookings/holdingSeats(ofExperience:onDayOf:in:on:)``). Here, that count's estimated cost grew with the bookings,
/// and each refresh of the table's statistics then made PostgreSQL plan this statement again at every call, for
/// hundreds of calls on each connection (its generic plan looked dearer than the custom plans it had averaged).
struct BookableSlotQuery: PreparedStatementByID {
    typealias Row = BookableSlot
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "booking.bookable_slot"

    static let sql = """
        SELECT s.id, s.experience_id, s.starts_at, s.ends_at, s.capacity, s.remaining, s.status, s.version,
               e.provider_id, e.status, e.title, e.max_guests, e.price_amount, e.currency, e.cancellation_policy, e.time_zone,
               e.min_notice_hours, e.booking_window_days, e.buffer_minutes, e.max_bookings_per_day,
               (s.starts_at AT TIME ZONE e.time_zone)::date = ANY(e.blackout_dates),
               EXISTS (SELECT 1 FROM busy_times b WHERE b.provider_id = s.provider_id AND b.starts_at < s.ends_at AND b.ends_at > s.starts_at),
               e.buffer_minutes > 0 AND EXISTS (
                   SELECT 1 FROM slots o
                   WHERE o.provider_id = s.provider_id AND o.id <> s.id AND o.status = 'open' AND o.remaining < o.capacity
                     AND o.starts_at > s.starts_at - make_interval(mins => e.buffer_minutes + \(Slots.longestMinutes))
                     AND o.starts_at < s.ends_at + make_interval(mins => e.buffer_minutes)
                     AND o.ends_at > s.starts_at - make_interval(mins => e.buffer_minutes)
               )
        FROM slots s JOIN experiences e ON e.id = s.experience_id WHERE s.id = $1
        """

    let id: UUID

    func decodeRow(_ row: PostgresRow) throws -> BookableSlot {
        let r = try row.decode(
            (
                UUID, UUID, Date, Date, Int, Int, String, Int64, UUID, String, String, Int, Int64, String, String, String, Int, Int?, Int, Int?, Bool, Bool,
                Bool
            ).self)
        let slot = Slot(
            id: r.0, experienceId: r.1, startsAt: r.2, endsAt: r.3, capacity: r.4, remaining: r.5, status: Slot.Status(rawValue: r.6) ?? .cancelled,
            version: r.7)
        return BookableSlot(
            slot: slot, providerID: r.8, experienceStatus: Experience.Status(rawValue: r.9), title: r.10, maxGuests: r.11,
            price: Money(amount: r.12, currency: r.13), cancellationPolicy: CancellationPolicy(rawValue: r.14) ?? .strict, timeZone: r.15,
            rules: BookingRules(minimumNoticeHours: r.16, bookingWindowDays: r.17, bufferMinutes: r.18, maxBookingsPerDay: r.19),
            blackedOut: r.20, providerBusy: r.21, bufferClash: r.22
        )
    }
}
