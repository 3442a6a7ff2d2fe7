import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// An experience's availability: its provider opens single slots and weekly schedules; anyone reads the open slots
/// of a published one.
struct AvailabilityRoutes {
    let booking: BookingService

    struct NewSlot: Decodable {
        var startsAt: Date
        var capacity: Int
        var allowOverlap: Bool?
    }

    struct SlotChange: Decodable {
        var capacity: Int
    }

    struct Schedule: ResponseCodable {
        var id: UUID
        var experienceId: UUID
        var weekdays: [Int]
        var startTimes: [String]
        var from: String
        var until: String
        var capacity: Int
        var slotsCreated: Int
        /// On a change: the slots to come that the new terms dropped, and those given the new capacity.
        var slotsCancelled: Int?
        var slotsResized: Int?

        init(id: UUID, experienceId: UUID, terms: ScheduleTerms, slotsCreated: Int, slotsCancelled: Int? = nil, slotsResized: Int? = nil) {
            self.id = id
            self.experienceId = experienceId
            self.weekdays = terms.weekdays
            self.startTimes = terms.startTimes.map(\.description)
            self.from = terms.from.description
            self.until = terms.until.description
            self.capacity = terms.capacity
            self.slotsCreated = slotsCreated
            self.slotsCancelled = slotsCancelled
            self.slotsResized = slotsResized
        }
    }

    struct Availability: ResponseCodable {
        var experienceId: UUID
        var timeZone: String
        var slots: [Slot]
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/experiences")
        group.post(":id/slots", use: addSlot)
        group.patch(":id/slots/:slotId", use: changeSlot)
        group.delete(":id/slots/:slotId", use: cancelSlot)
        group.post(":id/schedules", use: addSchedule)
        group.patch(":id/schedules/:scheduleId", use: changeSchedule)
        group.delete(":id/schedules/:scheduleId", use: cancelSchedule)
        group.get(":id/availability", use: availability)
    }

    /// A slot's capacity, never below the seats sold.
    @Sendable func changeSlot(_ request: Request, context: ServiceRequestContext) async throws -> Slot {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let slotID = try context.parameters.require("slotId", as: UUID.self)
        let body = try await request.decode(as: SlotChange.self, context: context)
        guard (1...10_000).contains(body.capacity) else { throw Problem.invalid("capacity", "must be from 1 to 10000") }
        return try await booking.changeSlot(slotID, of: id, capacity: body.capacity, by: identity)
    }

    /// Cancels a slot and, as the provider's cancellations, its bookings.
    @Sendable func cancelSlot(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        try await booking.cancelSlot(try context.parameters.require("slotId", as: UUID.self), of: id, by: identity)
        return Response(status: .noContent)
    }

    struct CancelledSchedule: ResponseCodable {
        var slotsCancelled: Int
    }

    /// Cancels a weekly schedule's slots to come and, as the provider's cancellations, their bookings.
    @Sendable func cancelSchedule(_ request: Request, context: ServiceRequestContext) async throws -> CancelledSchedule {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let scheduleID = try context.parameters.require("scheduleId", as: UUID.self)
        return CancelledSchedule(slotsCancelled: try await booking.cancelSchedule(scheduleID, of: id, by: identity))
    }

    @Sendable func addSlot(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: NewSlot.self, context: context)
        var validator = Validator()
        validator.check((1...10_000).contains(body.capacity), "capacity", "must be from 1 to 10000")
        validator.rule(body.startsAt > booking.clock.now(), "startsAt", "must be in the future")
        try validator.validate()
        let slot = try await booking.addSlot(startingAt: body.startsAt, capacity: body.capacity, allowOverlap: body.allowOverlap ?? false, to: id, by: identity)
        return try .json(slot, status: .created)
    }

    @Sendable func addSchedule(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let fields = try await request.decode(as: ScheduleFields.self, context: context)
        let terms = try fields.terms()
        let created = try await booking.addSchedule(terms, allowOverlap: fields.allowOverlap ?? false, to: id, by: identity)
        return try .json(Schedule(id: created.id, experienceId: id, terms: terms, slotsCreated: created.slotsCreated), status: .created)
    }

    /// Changes a weekly schedule: its slots to come follow the new terms.
    @Sendable func changeSchedule(_ request: Request, context: ServiceRequestContext) async throws -> Schedule {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let scheduleID = try context.parameters.require("scheduleId", as: UUID.self)
        let fields = try await request.decode(as: ScheduleFields.self, context: context)
        let changes = try await booking.changeSchedule(scheduleID, of: id, fields, by: identity)
        return Schedule(
            id: scheduleID, experienceId: id, terms: changes.terms, slotsCreated: changes.slotsCreated, slotsCancelled: changes.slotsCancelled,
            slotsResized: changes.slotsResized)
    }

    /// Open slots with at least `guests` seats (default 1) between `from` and `to` (default: the next 30 days).
    @Sendable func availability(_ request: Request, context: ServiceRequestContext) async throws -> Availability {
        let id = try context.parameters.require("id", as: UUID.self)
        let query = request.uri.queryParameters
        let from = try query.get("from").map { try Self.date($0, "from") } ?? booking.clock.now()
        let to = try query.get("to").map { try Self.date($0, "to") } ?? from.addingTimeInterval(30 * 86_400)
        let guests =
            try query.get("guests").map { text in
                guard let guests = Int(text), (1...100).contains(guests) else { throw Problem.invalid("guests", "must be an integer from 1 to 100") }
                return guests
            } ?? 1
        guard to > from, to.timeIntervalSince(from) <= 366 * 86_400 else { throw Problem.refused("to", "must be after from, within a year") }
        let (experience, slots) = try await booking.availability(of: id, to: context.identity, from: from, to: to, guests: guests)
        return Availability(experienceId: id, timeZone: experience.timeZone, slots: slots)
    }

    static func date(_ text: String, _ field: String) throws -> Date {
        guard let date = ISO8601Format.parse(text) else { throw Problem.invalid(field, "must be an ISO 8601 date-time such as 2026-12-01T09:00:00Z") }
        return date
    }
}
