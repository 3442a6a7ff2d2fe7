import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// What booking a slot needs to know, in one round trip (``Slots/bookable(_:on:)``). Prepared once per connection:
/// planning it took PostgreSQL longer than running it (EXPLAIN ANALYZE under the booking bench: 1.3 ms against 0.3).
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
               CASE WHEN e.max_bookings_per_day IS NULL THEN 0 ELSE (
                   SELECT count(*)::int FROM bookings b
                   WHERE b.experience_id = s.experience_id AND b.status IN ('pending_payment', 'awaiting_provider', 'confirmed')
                     AND b.starts_at >= date_trunc('day', s.starts_at AT TIME ZONE e.time_zone) AT TIME ZONE e.time_zone
                     AND b.starts_at < (date_trunc('day', s.starts_at AT TIME ZONE e.time_zone) + interval '1 day') AT TIME ZONE e.time_zone
               ) END,
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
                Int, Bool
            ).self)
        let slot = Slot(
            id: r.0, experienceId: r.1, startsAt: r.2, endsAt: r.3, capacity: r.4, remaining: r.5, status: Slot.Status(rawValue: r.6) ?? .cancelled,
            version: r.7)
        return BookableSlot(
            slot: slot, providerID: r.8, experienceStatus: Experience.Status(rawValue: r.9), title: r.10, maxGuests: r.11,
            price: Money(amount: r.12, currency: r.13), cancellationPolicy: CancellationPolicy(rawValue: r.14) ?? .strict, timeZone: r.15,
            rules: BookingRules(minimumNoticeHours: r.16, bookingWindowDays: r.17, bufferMinutes: r.18, maxBookingsPerDay: r.19),
            blackedOut: r.20, providerBusy: r.21, bookedThatDay: r.22, bufferClash: r.23
        )
    }
}
