import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// ``Bookings/hold(_:idempotencyKey:requestHash:now:payment:on:)``'s one statement: the seats taken from the slot, the
/// booking recorded and the payment request written to the outbox (its row as `Outbox.enqueue` writes it, with the
/// request's trace, which the delivery continues); one row, the number of bookings written. Prepared once per
/// connection, as every booking runs it.
struct BookingHold: PostgresPreparedStatement {
    typealias Row = Int
    /// Named here: postgres-nio's default name, `String(reflecting:)`, is computed at every execution.
    static let name = "booking.hold"

    static let sql = """
        WITH taken AS (
            UPDATE slots SET remaining = remaining - $1, version = version + 1
            WHERE id = $2 AND status = 'open' AND remaining >= $1 AND starts_at > $3
            RETURNING id
        ), booked AS (
            INSERT INTO bookings (id, experience_id, slot_id, traveler_id, provider_id, guests, total_amount, currency, status, note,
                starts_at, ends_at, hold_expires_at, idempotency_key, request_hash, created_at, updated_at, cancellation_policy)
            SELECT $4, $5, $2, $6, $7, $1, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
            FROM taken
            RETURNING id
        ), asked AS (
            INSERT INTO outbox (id, destination, path, payload, traceparent)
            SELECT $20, $21, $22, $23::jsonb, $24 FROM booked
        )
        SELECT count(*)::int FROM booked
        """

    let booking: Booking
    let idempotencyKey: String
    let requestHash: String
    let now: Date
    let payment: OutboxMessage

    func makeBindings() throws -> PostgresBindings {
        let b = booking
        var bindings = PostgresBindings(capacity: 24)
        bindings.append(b.guests)
        bindings.append(b.slotId)
        bindings.append(now)
        bindings.append(b.id)
        bindings.append(b.experienceId)
        bindings.append(b.travelerId)
        bindings.append(b.providerId)
        bindings.append(b.total.amount)
        bindings.append(b.total.currency)
        bindings.append(b.status.rawValue)
        bindings.append(b.note)
        bindings.append(b.startsAt)
        bindings.append(b.endsAt)
        bindings.append(b.holdExpiresAt)
        bindings.append(idempotencyKey)
        bindings.append(requestHash)
        bindings.append(b.createdAt)
        bindings.append(b.updatedAt)
        bindings.append(b.cancellationPolicy.rawValue)
        bindings.append(payment.id)
        bindings.append(payment.destination.rawValue)
        bindings.append(payment.path)
        bindings.append(payment.payload)
        bindings.append(payment.traceparent)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode(Int.self)
    }
}
