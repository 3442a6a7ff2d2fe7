import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// The use cases of bookings: book, read, cancel, answer a request.
extension BookingService {
    /// What a traveler asks to book.
    struct BookingRequest: Codable, Sendable {
        var slotId: UUID
        var guests: Int
        var note: String?
    }

    /// Holds the seats and asks Payment for the money. A request with a key used before answers as the first time
    /// if it is the same request (`hash`), and is refused if it is another.
    ///
    /// A new key is the common case: the hold goes first, and the key is looked up only when it did not go through
    /// (the unique index refused a key used before, or the seats or the slot are gone since the first answer), so
    /// that a retry is answered as the first time whatever changed since.
    func book(_ request: BookingRequest, for traveler: Identity, key: String, hash: String) async throws -> Booking {
        do {
            let booking = try await hold(request, for: traveler, key: key, hash: hash)
            ServiceMetrics.count("mayago.bookings.created")
            return booking
        } catch {
            guard
                let (existing, firstHash) = try await postgres.withConnection({
                    try await bookings.find(travelerID: traveler.userID, idempotencyKey: key, on: $0)
                })
            else {
                throw error
            }
            guard firstHash == hash else { throw Self.keyReused }
            return existing
        }
    }

    /// Checks what can be checked without the seats, then takes them, records the booking and asks Payment for the
    /// money in one statement (``Bookings/hold(_:idempotencyKey:requestHash:now:payment:)``), so that the slot's row
    /// is locked for as short a time as possible when many travelers want the same slot. Search hears of the new
    /// seat count from ``BookingJobs``, which coalesces a busy slot's changes.
    private func hold(_ request: BookingRequest, for traveler: Identity, key: String, hash: String) async throws -> Booking {
        let now = clock.now()
        guard let bookable = try await postgres.withConnection({ try await slots.bookable(request.slotId, on: $0) }) else {
            throw BookingRefusal.notPublished
        }
        if let refusal = bookable.refusal(guests: request.guests, at: now) { throw refusal }
        let slot = bookable.slot
        let total = bookable.total(guests: request.guests)
        let made = Booking(
            id: UUID.random(), experienceId: slot.experienceId, slotId: slot.id, travelerId: traveler.userID, providerId: bookable.providerID,
            guests: request.guests, total: total, cancellationPolicy: bookable.cancellationPolicy, status: .pendingPayment, note: request.note,
            startsAt: slot.startsAt, endsAt: slot.endsAt, holdExpiresAt: now.addingTimeInterval(settings.hold), respondBy: nil,
            paid: Money(amount: 0, currency: total.currency), refunded: Money(amount: 0, currency: total.currency), cancellationReason: nil,
            createdAt: now, updatedAt: now
        )
        let payment = BookingPayments.PaymentRequest(
            bookingId: made.id, travelerId: made.travelerId, providerId: made.providerId, amount: total,
            description: "\(bookable.title), \(request.guests) guest\(request.guests == 1 ? "" : "s")", experienceId: slot.experienceId,
            experienceTitle: bookable.title
        )
        let message = OutboxMessage(payment)
        if bookable.rules.maxBookingsPerDay != nil {
            try await holdCounted(made, bookable, guests: request.guests, key: key, hash: hash, payment: message)
        } else {
            // The hold is one statement, its own transaction (a BEGIN and COMMIT around it would keep the slot's row
            // locked a round trip longer): the payment request it queued is committed, so the relay goes now.
            guard try await bookings.hold(made, idempotencyKey: key, requestHash: hash, now: now, payment: message) else {
                throw BookingRefusal.notEnoughSeats
            }
            outbox.nudge()
        }
        return made
    }

    /// Holds `booking` of `bookable` in a transaction under its day's lock (``underDayLock(_:on:)``).
    private func holdCounted(_ booking: Booking, _ bookable: BookableSlot, guests: Int, key: String, hash: String, payment: OutboxMessage) async throws {
        try await transaction { connection in
            guard let current = try await underDayLock(bookable, on: connection) else { throw BookingRefusal.notPublished }
            if let refusal = current.refusal(guests: guests, at: booking.createdAt) { throw refusal }
            guard try await bookings.hold(booking, idempotencyKey: key, requestHash: hash, now: booking.createdAt, payment: payment, on: connection) else {
                throw BookingRefusal.notEnoughSeats
            }
        }
    }

    /// `bookable` read again under its experience's lock on the slot's local day when the experience limits bookings
    /// per day, with the day's bookings counted once the lock is held, so that two bookings of one day never both take
    /// its last place; as it is otherwise. In the caller's transaction.
    private func underDayLock(_ bookable: BookableSlot, on connection: PostgresConnection) async throws -> BookableSlot? {
        guard bookable.rules.maxBookingsPerDay != nil, let zone = TimeZone(identifier: bookable.timeZone) else { return bookable }
        try await slots.lockDay(LocalDate(bookable.slot.startsAt, in: zone), of: bookable.slot.experienceId, on: connection)
        guard var current = try await slots.bookable(bookable.slot.id, on: connection) else { return nil }
        current.bookedThatDay = try await bookings.holdingSeats(
            ofExperience: current.slot.experienceId, onDayOf: current.slot.startsAt, in: current.timeZone, on: connection)
        return current
    }

    /// The caller's bookings as a traveler, or as the provider of the experiences; newest first.
    func bookings(of identity: Identity, asProvider: Bool, before cursor: KeysetCursor?, limit: Int) async throws -> [Booking] {
        try await bookings.page(
            travelerID: asProvider ? nil : identity.userID, providerID: asProvider ? identity.userID : nil, before: cursor, limit: limit
        )
    }

    /// A booking the caller is a party to; 404 for anyone else, which does not say whether it exists.
    func booking(_ id: UUID, seenBy identity: Identity) async throws -> Booking {
        guard let found = try await bookings.find(id), BookingParty(identity, of: found) != nil else { throw Self.bookingNotFound }
        return found
    }

    /// The traveler cancels (refund by policy once confirmed), or the provider (always a full refund). Before the
    /// start only; a second cancellation answers as the first.
    func cancel(_ id: UUID, by identity: Identity, reason: String?) async throws -> Booking {
        try await transaction { connection in
            let (found, party) = try await lockedBooking(id, for: identity, on: connection)
            return try await apply(try Self.cancellation(of: found, by: party, at: clock.now()), to: found, reason: reason, on: connection)
        }
    }

    /// The event `party`'s cancellation of `booking` is; refused once the experience has started while it holds seats.
    private static func cancellation(of booking: Booking, by party: BookingParty, at now: Date) throws -> BookingStateMachine.Event {
        guard booking.startsAt > now || !booking.status.holdsSeats else {
            throw Problem.conflict("The experience has started; it can no longer be cancelled.", code: "already_started")
        }
        return party == .traveler ? .cancelledByTraveler : .cancelledByProvider
    }

    /// What cancelling now would refund the caller's side (nothing changes): a 409 when the booking can no longer be
    /// cancelled, as the cancellation itself would answer.
    func cancellationQuote(_ id: UUID, for identity: Identity) async throws -> CancellationQuote {
        guard let found = try await bookings.find(id), let party = BookingParty(identity, of: found) else { throw Self.bookingNotFound }
        let now = clock.now()
        guard case .success(let transition) = BookingStateMachine.apply(try Self.cancellation(of: found, by: party, at: now), to: found.status),
            transition.changed
        else {
            throw Problem.conflict(
                "A booking that is \(found.status.rawValue.replacingOccurrences(of: "_", with: " ")) cannot be cancelled.", code: "invalid_transition")
        }
        let refund = owed(transition.refund, booking: found, policy: found.cancellationPolicy, at: now)
        return CancellationQuote(bookingId: found.id, cancellationPolicy: found.cancellationPolicy, paid: found.paid, refund: refund, quotedAt: now)
    }

    /// The traveler moves a paid booking, before it starts, to another slot of the same experience that its rules let
    /// them book: the seats move in one transaction, a cheaper time refunds the difference, and the provider is told.
    /// Moving to the slot it is on answers as it is.
    func reschedule(_ id: UUID, to slotID: UUID, by identity: Identity) async throws -> Booking {
        try await transaction { connection in
            let (found, party) = try await lockedBooking(id, for: identity, on: connection)
            guard party == .traveler else { throw Problem.forbidden("Only the traveler reschedules a booking.") }
            guard found.slotId != slotID else { return found }
            let now = clock.now()
            guard found.status == .confirmed || found.status == .awaitingProvider else {
                throw Problem.conflict("Only a paid booking can be rescheduled.", code: "not_reschedulable")
            }
            guard found.startsAt > now else { throw Problem.conflict("The experience has started; it can no longer be rescheduled.", code: "already_started") }
            try await slots.lock([found.slotId, slotID], on: connection)
            guard let seen = try await slots.bookable(slotID, on: connection), seen.slot.experienceId == found.experienceId,
                let target = try await underDayLock(seen, on: connection)
            else {
                throw Problem.refused("slotId", "is not a slot of this booking's experience")
            }
            if let refusal = target.refusal(guests: found.guests, at: now) { throw refusal }
            guard try await slots.take(found.guests, from: slotID, at: now, on: connection) else { throw BookingRefusal.notEnoughSeats }
            try await slots.release(found.guests, to: found.slotId, on: connection)
            let (moved, refund) = found.rescheduled(to: target.slot, price: target.price)
            try await bookings.move(moved, at: now, on: connection)
            if refund.amount > 0 {
                try await send(BookingPayments.RefundRequest(bookingId: found.id, amount: refund, reason: "rescheduled"), on: connection)
            }
            guard let experience = try await experiences.find(found.experienceId, on: connection) else { throw Problem.notFound() }
            var extra: [String: JSONValue] = ["previousStartsAt": .string(ISO8601Format.string(found.startsAt))]
            if refund.amount > 0 { extra["refund"] = .object(["amount": .number(Double(refund.amount)), "currency": .string(refund.currency)]) }
            try await notify(.bookingRescheduled, moved.providerId, moved, experience, extra: extra, on: connection)
            return moved
        }
    }

    /// The provider accepts or declines a request to book.
    func answer(_ event: BookingStateMachine.Event, to id: UUID, by identity: Identity, reason: String?) async throws -> Booking {
        try await transaction { connection in
            let (found, party) = try await lockedBooking(id, for: identity, on: connection)
            guard party == .provider else { throw Problem.forbidden("Only the provider answers a request to book.") }
            return try await apply(event, to: found, reason: reason, on: connection)
        }
    }

    /// A booking locked for the caller's transaction, with the caller's part in it; 404 if they have none.
    func lockedBooking(_ id: UUID, for identity: Identity, on connection: PostgresConnection) async throws -> (Booking, BookingParty) {
        guard let found = try await bookings.find(id, on: connection, forUpdate: true), let party = BookingParty(identity, of: found) else {
            throw Self.bookingNotFound
        }
        return (found, party)
    }

    static let bookingNotFound = Problem.notFound("No such booking.")
    static let keyReused = Problem(.unprocessableContent, detail: "This Idempotency-Key was used for another request.", code: "idempotency_key_reused")

    /// How Messaging sees a booking.
    func parties(ofBooking id: UUID) async throws -> BookingParties {
        guard let found = try await bookings.find(id) else { throw Problem.notFound("No such booking.") }
        return BookingParties(id: found.id, experienceId: found.experienceId, travelerId: found.travelerId, providerId: found.providerId)
    }
}
