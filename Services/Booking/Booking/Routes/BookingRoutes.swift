import Contracts
import Crypto
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit

/// Bookings: travelers book and cancel; providers answer requests and cancel; each sees only their own.
struct BookingRoutes {
    let booking: BookingService

    struct NewBooking: Codable {
        var slotId: UUID
        var guests: Int
        var note: String?
    }

    struct Reason: Decodable {
        var reason: String?
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/bookings")
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.post(":id/cancel", use: cancel)
        group.post(":id/accept", use: accept)
        group.post(":id/decline", use: decline)
    }

    /// Holds the seats and asks Payment for the money. The same `Idempotency-Key` with the same body answers as
    /// the first time; with another body it is a 422.
    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let traveler = try context.requireRole(.traveler)
        let key = try IdempotentRequests.key(of: request)
        let body = try await request.decode(as: NewBooking.self, context: context)
        let note = body.note?.trimmed
        var validator = Validator()
        validator.check((1...100).contains(body.guests), "guests", "must be from 1 to 100")
        validator.check((note?.unicodeScalars.count ?? 0) <= 1000, "note", "must be at most 1000 characters")
        try validator.validate()
        // The request as decoded and encoded again with sorted keys: the same booking hashes the same however the
        // client ordered or spaced its JSON.
        let hash = SHA256.hash(data: try JSONEncoder.mayaGo.encode(body)).hexString

        // A new key is the common case: the hold goes first, and the key is looked up only when it did not go
        // through (the unique index refused a key used before, or the seats or the slot are gone since the first
        // answer), so that a retry is answered as the first time whatever changed since.
        do {
            return try .json(try await hold(body, note: note, for: traveler, key: key, hash: hash), status: .created)
        } catch {
            guard let (existing, firstHash) = try await booking.postgres.withConnection({ try await booking.bookings.find(travelerID: traveler.userID, idempotencyKey: key, on: $0) }) else { throw error }
            guard firstHash == hash else { throw Self.keyReused }
            return try .json(existing, status: .created)
        }
    }

    /// Checks what can be checked without the seats, then takes them, records the booking and asks Payment for the
    /// money in one statement (``Bookings/hold(_:idempotencyKey:requestHash:now:payment:)``), so that the slot's row
    /// is locked for as short a time as possible when many travelers want the same slot. Search hears of the new
    /// seat count from ``BookingJobs``, which coalesces a busy slot's changes.
    private func hold(_ body: NewBooking, note: String?, for traveler: Identity, key: String, hash: String) async throws -> Booking {
        let now = booking.clock.now()
        guard let bookable = try await booking.postgres.withConnection({ try await booking.slots.bookable(body.slotId, on: $0) }),
              bookable.experienceStatus == Experience.Status.published.rawValue
        else {
            throw Problem.refused("slotId", "is not a slot of a published experience")
        }
        let slot = bookable.slot
        guard body.guests <= bookable.maxGuests else { throw Problem.refused("guests", "must be at most \(bookable.maxGuests) for this experience") }
        guard slot.status == .open, slot.startsAt > now else { throw Problem.conflict("This slot cannot be booked any more.", code: "slot_closed") }
        guard !bookable.providerBusy else { throw Problem.conflict("The provider is not available at this time.", code: "provider_busy") }
        guard slot.remaining >= body.guests else { throw Self.soldOut }
        let total = Money(amount: bookable.price.amount * Int64(body.guests), currency: bookable.price.currency)
        let made = Booking(
            id: UUID(), experienceId: slot.experienceId, slotId: slot.id, travelerId: traveler.userID, providerId: bookable.providerID,
            guests: body.guests, total: total, cancellationPolicy: bookable.cancellationPolicy, status: .pendingPayment, note: note, startsAt: slot.startsAt, endsAt: slot.endsAt,
            holdExpiresAt: now.addingTimeInterval(booking.settings.hold), respondBy: nil, paid: Money(amount: 0, currency: total.currency),
            refunded: Money(amount: 0, currency: total.currency), cancellationReason: nil, createdAt: now, updatedAt: now
        )
        let payment = BookingPayments.PaymentRequest(
            bookingId: made.id, travelerId: made.travelerId, providerId: made.providerId, amount: total,
            description: "\(bookable.title), \(body.guests) guest\(body.guests == 1 ? "" : "s")"
        )
        let request = try OutboxMessage(to: .payment, path: BookingPayments.paymentsPath, body: payment)
        guard try await booking.bookings.hold(made, idempotencyKey: key, requestHash: hash, now: now, payment: request) else { throw Self.soldOut }
        return made
    }

    /// The caller's bookings, or with `role=provider` the bookings on the caller's experiences; newest first.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Booking> {
        let identity = try context.requireIdentity()
        let query = request.uri.queryParameters
        let asProvider: Bool
        switch query.get("role") {
        case nil, "traveler": asProvider = false
        case "provider": asProvider = true
        default: throw Problem.invalid("role", "must be traveler or provider")
        }
        let limit = try Paging.limit(query.get("limit"))
        let items = try await booking.bookings.page(
            travelerID: asProvider ? nil : identity.userID,
            providerID: asProvider ? identity.userID : nil,
            before: try KeysetCursor.parse(query.get("cursor")),
            limit: limit
        )
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        guard let found = try await booking.bookings.find(id), Self.party(identity, of: found) != nil else { throw Self.notFound }
        return found
    }

    /// The traveler cancels (refund by policy once confirmed), or the provider (always a full refund). Before the
    /// start only; a second cancellation answers as the first.
    @Sendable func cancel(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let reason = try await request.decodeIfPresent(as: Reason.self, context: context)?.reason?.trimmed
        guard (reason?.count ?? 0) <= 500 else { throw Problem.invalid("reason", "must be at most 500 characters") }
        return try await booking.transaction { connection in
            guard let found = try await booking.bookings.find(id, on: connection, forUpdate: true), let party = Self.party(identity, of: found) else { throw Self.notFound }
            guard found.startsAt > booking.clock.now() || !found.status.holdsSeats else {
                throw Problem.conflict("The experience has started; it can no longer be cancelled.", code: "already_started")
            }
            return try await booking.apply(party == .traveler ? .cancelledByTraveler : .cancelledByProvider, to: found, reason: reason, on: connection)
        }
    }

    @Sendable func accept(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        try await answer(.accepted, request, context)
    }

    @Sendable func decline(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        try await answer(.declined, request, context)
    }

    private func answer(_ event: BookingStateMachine.Event, _ request: Request, _ context: ServiceRequestContext) async throws -> Booking {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let reason = try await request.decodeIfPresent(as: Reason.self, context: context)?.reason?.trimmed
        return try await booking.transaction { connection in
            guard let found = try await booking.bookings.find(id, on: connection, forUpdate: true), let party = Self.party(identity, of: found) else { throw Self.notFound }
            guard party == .provider else { throw Problem.forbidden("Only the provider answers a request to book.") }
            return try await booking.apply(event, to: found, reason: reason, on: connection)
        }
    }

    enum Party {
        case traveler, provider
    }

    /// How the caller is concerned by `booking`: its traveler, its provider (admins act as the provider), or not at all.
    static func party(_ identity: Identity, of booking: Booking) -> Party? {
        if identity.userID == booking.travelerId { return .traveler }
        if identity.userID == booking.providerId || identity.role == .admin { return .provider }
        return nil
    }

    static let notFound = Problem.notFound("No such booking.")
    static let soldOut = Problem.conflict("Not enough seats left on this slot.", code: "not_enough_seats")
    static let keyReused = Problem(.unprocessableContent, detail: "This Idempotency-Key was used for another request.", code: "idempotency_key_reused")
}
