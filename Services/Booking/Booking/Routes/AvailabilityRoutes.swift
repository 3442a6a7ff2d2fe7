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

    struct NewSchedule: Decodable {
        var weekdays: [Int]
        var startTimes: [String]
        var from: String
        var until: String
        var capacity: Int
        var allowOverlap: Bool?
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
        let body = try await request.decode(as: NewSchedule.self, context: context)
        let times = body.startTimes.map(LocalTime.init)
        let from = LocalDate(body.from)
        let until = LocalDate(body.until)
        var validator = Validator()
        validator.check(
            !body.weekdays.isEmpty && body.weekdays.allSatisfy { (1...7).contains($0) }, "weekdays", "must list ISO weekdays from 1 (Monday) to 7 (Sunday)")
        validator.check((1...12).contains(times.count), "startTimes", "must list 1 to 12 times")
        for (index, time) in times.enumerated() where time == nil { validator.fail("startTimes[\(index)]", "must be a time such as 09:30") }
        validator.check(from != nil, "from", "must be a date such as 2026-12-01")
        validator.check(until != nil, "until", "must be a date such as 2027-03-31")
        if let from, let until {
            validator.rule(from <= until && from.days(to: until) <= 366, "until", "must be on or after from, within a year")
        }
        validator.check((1...10_000).contains(body.capacity), "capacity", "must be from 1 to 10000")
        try validator.validate()
        guard let from, let until else { throw Problem.internalError }  // the validator refused a missing date above
        let created = try await booking.addSchedule(
            weekdays: body.weekdays, startTimes: times.compactMap { $0 }, from: from, until: until, capacity: body.capacity,
            allowOverlap: body.allowOverlap ?? false, to: id, by: identity
        )
        let schedule = Schedule(
            id: created.id, experienceId: id, weekdays: body.weekdays, startTimes: body.startTimes, from: body.from, until: body.until,
            capacity: body.capacity, slotsCreated: created.slotsCreated
        )
        return try .json(schedule, status: .created)
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
