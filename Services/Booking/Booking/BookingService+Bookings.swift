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
            return try await hold(request, for: traveler, key: key, hash: hash)
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
            id: UUID(), experienceId: slot.experienceId, slotId: slot.id, travelerId: traveler.userID, providerId: bookable.providerID,
            guests: request.guests, total: total, cancellationPolicy: bookable.cancellationPolicy, status: .pendingPayment, note: request.note,
            startsAt: slot.startsAt, endsAt: slot.endsAt, holdExpiresAt: now.addingTimeInterval(settings.hold), respondBy: nil,
            paid: Money(amount: 0, currency: total.currency), refunded: Money(amount: 0, currency: total.currency), cancellationReason: nil,
            createdAt: now, updatedAt: now
        )
        let payment = BookingPayments.PaymentRequest(
            bookingId: made.id, travelerId: made.travelerId, providerId: made.providerId, amount: total,
            description: "\(bookable.title), \(request.guests) guest\(request.guests == 1 ? "" : "s")"
        )
        let message = try OutboxMessage(payment)
        guard try await bookings.hold(made, idempotencyKey: key, requestHash: hash, now: now, payment: message) else { throw BookingRefusal.notEnoughSeats }
        // The hold is one statement, its own transaction (a BEGIN and COMMIT around it would keep the slot's row
        // locked a round trip longer): the payment request it queued is committed, so the relay goes now.
        outbox.nudge()
        return made
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
            guard found.startsAt > clock.now() || !found.status.holdsSeats else {
                throw Problem.conflict("The experience has started; it can no longer be cancelled.", code: "already_started")
            }
            return try await apply(party == .traveler ? .cancelledByTraveler : .cancelledByProvider, to: found, reason: reason, on: connection)
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
