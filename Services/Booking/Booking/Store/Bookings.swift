import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `bookings` table.
struct Bookings: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    static let columns = """
        id, experience_id, slot_id, traveler_id, provider_id, guests, total_amount, currency, status, note, starts_at, ends_at,
        hold_expires_at, respond_by, paid_amount, refunded_amount, cancellation_reason, created_at, updated_at, cancellation_policy
        """

    /// Takes the booking's seats from its slot (open, starting after `now`, with enough left), records the booking and
    /// writes `payment` to the outbox, all in one statement and so one transaction: the slot's row is locked only
    /// while the statement runs, not across round trips, which is what lets many travelers book one slot at once.
    /// `false` when the seats were not there; then nothing was written.
    /// On `connection` when given, in the caller's transaction.
    func hold(
        _ booking: Booking, idempotencyKey: String, requestHash: String, now: Date, payment: OutboxMessage, on connection: PostgresConnection? = nil
    ) async throws -> Bool {
        let hold = BookingHold(booking: booking, idempotencyKey: idempotencyKey, requestHash: requestHash, now: now, payment: payment)
        for try await count in try await postgres.execute(hold, on: connection, logger: logger) { return count == 1 }
        return false
    }

    /// The traveler's booking made with `idempotencyKey`, and the hash of the request that made it.
    func find(travelerID: UUID, idempotencyKey: String, on connection: PostgresConnection) async throws -> (Booking, String)? {
        let rows = try await connection.query(
            "SELECT request_hash FROM bookings WHERE traveler_id = \(travelerID) AND idempotency_key = \(idempotencyKey)",
            logger: logger
        )
        var hash: String?
        for try await found in rows.decode(String.self) { hash = found }
        guard let hash else { return nil }
        let booking = try await list(
            "SELECT \(unescaped: Self.columns) FROM bookings WHERE traveler_id = \(travelerID) AND idempotency_key = \(idempotencyKey)",
            on: connection
        ).first
        return booking.map { ($0, hash) }
    }

    /// Marks up to 100 confirmed bookings starting after `now` and by `limit` as reminded, and returns them; rows
    /// another instance is reminding are skipped, so each traveler is reminded once. `= ANY(ARRAY(…))` locks once:
    /// `IN (…)` may be planned to run the locking subquery again for each row, claiming more than its limit.
    func claimReminders(startingBy limit: Date, at now: Date, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            UPDATE bookings SET reminder_sent_at = \(now)
            WHERE id = ANY(ARRAY(
                SELECT id FROM bookings WHERE status = 'confirmed' AND reminder_sent_at IS NULL
                  AND starts_at > \(now) AND starts_at <= \(limit)
                LIMIT 100 FOR UPDATE SKIP LOCKED
            )) RETURNING id
            """,
            logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    func find(_ id: UUID, on connection: PostgresConnection? = nil, forUpdate: Bool = false) async throws -> Booking? {
        var query: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM bookings WHERE id = \(id)"
        if forUpdate { query.sql += " FOR UPDATE" }
        return try await list(query, on: connection).first
    }

    /// A page of bookings, newest first: the traveler's, or those on the provider's experiences.
    func page(travelerID: UUID?, providerID: UUID?, before cursor: KeysetCursor?, limit: Int) async throws -> [Booking] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM bookings
            WHERE (\(travelerID)::uuid IS NULL OR traveler_id = \(travelerID)) AND (\(providerID)::uuid IS NULL OR provider_id = \(providerID))
              AND (\(cursor?.time)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.time), \(cursor?.id)::uuid))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """,
            on: nil
        )
    }

    /// Writes the booking's status and what goes with it.
    func save(_ booking: Booking, at now: Date, on connection: PostgresConnection) async throws {
        let b = booking
        try await connection.query(
            """
            UPDATE bookings SET status = \(b.status.rawValue), hold_expires_at = \(b.holdExpiresAt), respond_by = \(b.respondBy),
                paid_amount = \(b.paid.amount), refunded_amount = \(b.refunded.amount), cancellation_reason = \(b.cancellationReason),
                updated_at = \(now)
            WHERE id = \(b.id)
            """,
            logger: logger
        )
    }

    /// Saves a locked booking moved to another slot; its reminder is owed again.
    func move(_ booking: Booking, at now: Date, on connection: PostgresConnection) async throws {
        let b = booking
        try await connection.query(
            """
            UPDATE bookings SET slot_id = \(b.slotId), starts_at = \(b.startsAt), ends_at = \(b.endsAt), total_amount = \(b.total.amount),
                refunded_amount = \(b.refunded.amount), reminder_sent_at = NULL, updated_at = \(now)
            WHERE id = \(b.id)
            """,
            logger: logger
        )
    }

    func setPayment(_ paymentID: UUID, of id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE bookings SET payment_id = \(paymentID) WHERE id = \(id)", logger: logger)
    }

    /// Ids of bookings in `status` whose `column` time has passed, locked for this caller only (other instances
    /// skip them).
    func due(_ status: BookingStatus, _ column: DueColumn, at now: Date, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            SELECT id FROM bookings WHERE status = \(status.rawValue) AND \(unescaped: column.rawValue) <= \(now)
            ORDER BY \(unescaped: column.rawValue) LIMIT 100 FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    enum DueColumn: String {
        case holdExpiresAt = "hold_expires_at"
        case respondBy = "respond_by"
        case endsAt = "ends_at"
    }

    /// The bookings of slot `slotID` that hold seats and have not taken place, locked for the caller's transaction.
    func holdingSeats(onSlot slotID: UUID, on connection: PostgresConnection) async throws -> [Booking] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM bookings
            WHERE slot_id = \(slotID) AND status IN ('pending_payment', 'awaiting_provider', 'confirmed') ORDER BY created_at FOR UPDATE
            """,
            on: connection
        )
    }

    /// How many bookings of experience `experienceID` hold seats on the local day, in time zone `zone`, of `start`:
    /// what a limit of bookings per day counts, under the day's lock (``Slots/lockDay(_:of:on:)``).
    func holdingSeats(ofExperience experienceID: UUID, onDayOf start: Date, in zone: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            """
            SELECT count(*)::int FROM bookings
            WHERE experience_id = \(experienceID) AND status IN ('pending_payment', 'awaiting_provider', 'confirmed')
              AND starts_at >= date_trunc('day', \(start) AT TIME ZONE \(zone)) AT TIME ZONE \(zone)
              AND starts_at < (date_trunc('day', \(start) AT TIME ZONE \(zone)) + interval '1 day') AT TIME ZONE \(zone)
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    private func list(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [Booking] {
        let rows = try await postgres.query(query, on: connection, logger: logger)
        var bookings: [Booking] = []
        for try await row in rows {
            let r = try row.decode(
                (UUID, UUID, UUID, UUID, UUID, Int, Int64, String, String, String?, Date, Date, Date?, Date?, Int64, Int64, String?, Date, Date, String).self
            )
            bookings.append(
                Booking(
                    id: r.0, experienceId: r.1, slotId: r.2, travelerId: r.3, providerId: r.4, guests: r.5,
                    total: Money(amount: r.6, currency: r.7), cancellationPolicy: CancellationPolicy(rawValue: r.19) ?? .strict,
                    status: BookingStatus(rawValue: r.8) ?? .expired, note: r.9,
                    startsAt: r.10, endsAt: r.11, holdExpiresAt: r.12, respondBy: r.13,
                    paid: Money(amount: r.14, currency: r.7), refunded: Money(amount: r.15, currency: r.7),
                    cancellationReason: r.16, createdAt: r.17, updatedAt: r.18
                ))
        }
        return bookings
    }
}
