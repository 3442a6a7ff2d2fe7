import Contracts
import Crypto
import Foundation
import Hummingbird
import ServiceKit

/// Bookings: travelers book and cancel; providers answer requests and cancel; each sees only their own.
struct BookingRoutes {
    let booking: BookingService

    struct Reason: Decodable {
        var reason: String?
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/bookings")
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.get(":id/cancellation", use: cancellation)
        group.post(":id/cancel", use: cancel)
        group.post(":id/reschedule", use: reschedule)
        group.post(":id/accept", use: accept)
        group.post(":id/decline", use: decline)
    }

    /// The same `Idempotency-Key` with the same body answers as the first time; with another body it is a 422.
    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let traveler = try context.requireRole(.traveler)
        let key = try IdempotentRequests.key(of: request)
        var body = try await request.decode(as: BookingService.BookingRequest.self, context: context)
        let note = body.note?.trimmed
        var validator = Validator()
        validator.check((1...100).contains(body.guests), "guests", "must be from 1 to 100")
        validator.check((note?.unicodeScalars.count ?? 0) <= 1000, "note", "must be at most 1000 characters")
        try validator.validate()
        let hash = SHA256.hash(data: body.json).hexString
        body.note = note
        return .json(bytes: try await booking.book(body, for: traveler, key: key, hash: hash).json, status: .created)
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
        let items = try await booking.bookings(of: identity, asProvider: asProvider, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        let identity = try context.requireIdentity()
        return try await booking.booking(try context.parameters.require("id", as: UUID.self), seenBy: identity)
    }

    @Sendable func cancellation(_ request: Request, context: ServiceRequestContext) async throws -> CancellationQuote {
        let identity = try context.requireIdentity()
        return try await booking.cancellationQuote(try context.parameters.require("id", as: UUID.self), for: identity)
    }

    @Sendable func cancel(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let reason = try await Self.reason(of: request, context: context)
        return try await booking.cancel(id, by: identity, reason: reason)
    }

    struct Reschedule: Decodable {
        var slotId: UUID
    }

    /// Moves the caller's booking to another slot of the same experience.
    @Sendable func reschedule(_ request: Request, context: ServiceRequestContext) async throws -> Booking {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: Reschedule.self, context: context)
        return try await booking.reschedule(id, to: body.slotId, by: identity)
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
        let reason = try await Self.reason(of: request, context: context)
        return try await booking.answer(event, to: id, by: identity, reason: reason)
    }

    /// The optional `{"reason": …}` of a cancellation or an answer.
    private static func reason(of request: Request, context: ServiceRequestContext) async throws -> String? {
        let reason = try await request.decodeIfPresent(as: Reason.self, context: context)?.reason?.trimmed
        guard (reason?.unicodeScalars.count ?? 0) <= 500 else { throw Problem.invalid("reason", "must be at most 500 characters") }
        return reason
    }
}
