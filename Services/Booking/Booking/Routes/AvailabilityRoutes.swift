import Contracts
import Foundation
import Hummingbird
import PostgresNIO
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
        group.post(":id/schedules", use: addSchedule)
        group.get(":id/availability", use: availability)
    }

    @Sendable func addSlot(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: NewSlot.self, context: context)
        var validator = Validator()
        validator.check((1...10_000).contains(body.capacity), "capacity", "must be from 1 to 10000")
        validator.rule(body.startsAt > booking.clock.now(), "startsAt", "must be in the future")
        try validator.validate()
        let slot = try await booking.transaction { connection in
            let experience = try await booking.ownedExperience(id, by: identity, on: connection)
            let slot = Slot(
                id: UUID(), experienceId: id, startsAt: body.startsAt, endsAt: body.startsAt.addingTimeInterval(TimeInterval(experience.durationMinutes * 60)),
                capacity: body.capacity, remaining: body.capacity, status: .open, version: 1
            )
            let created = try await booking.addSlots([slot], of: experience, scheduleID: nil, allowOverlap: body.allowOverlap ?? false, on: connection)
            guard created == 1 else { throw Problem.conflict("This experience has a slot at that time already.", code: "slot_exists") }
            return slot
        }
        return try .json(slot, status: .created)
    }

    @Sendable func addSchedule(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: NewSchedule.self, context: context)
        let times = body.startTimes.map(LocalTime.init)
        let from = LocalDate(body.from), until = LocalDate(body.until)
        var validator = Validator()
        validator.check(!body.weekdays.isEmpty && body.weekdays.allSatisfy { (1...7).contains($0) }, "weekdays", "must list ISO weekdays from 1 (Monday) to 7 (Sunday)")
        validator.check((1...12).contains(times.count), "startTimes", "must list 1 to 12 times")
        for (index, time) in times.enumerated() where time == nil { validator.fail("startTimes[\(index)]", "must be a time such as 09:30") }
        validator.check(from != nil, "from", "must be a date such as 2026-12-01")
        validator.check(until != nil, "until", "must be a date such as 2027-03-31")
        if let from, let until {
            validator.rule(from <= until && from.days(to: until) <= 366, "until", "must be on or after from, within a year")
        }
        validator.check((1...10_000).contains(body.capacity), "capacity", "must be from 1 to 10000")
        try validator.validate()

        let scheduleID = UUID()
        let now = booking.clock.now()
        let created = try await booking.transaction { connection in
            let experience = try await booking.ownedExperience(id, by: identity, on: connection)
            guard let zone = TimeZone(identifier: experience.timeZone) else { throw Problem.conflict("The experience's time zone is unknown.") }
            let rule = WeeklySchedule(weekdays: Set(body.weekdays), startTimes: times.compactMap { $0 }, from: from!, until: until!, timeZone: zone)
            let duration = TimeInterval(experience.durationMinutes * 60)
            let slots = rule.startInstants().filter { $0 > now }.map { start in
                Slot(id: UUID(), experienceId: id, startsAt: start, endsAt: start.addingTimeInterval(duration), capacity: body.capacity, remaining: body.capacity, status: .open, version: 1)
            }
            try await connection.query(
                """
                INSERT INTO schedules (id, experience_id, weekdays, start_times, starts_on, ends_on, capacity, created_at)
                VALUES (\(scheduleID), \(id), \(body.weekdays), \(body.startTimes), \(body.from), \(body.until), \(body.capacity), \(now))
                """,
                logger: booking.logger
            )
            return try await booking.addSlots(slots, of: experience, scheduleID: scheduleID, allowOverlap: body.allowOverlap ?? false, on: connection)
        }
        let schedule = Schedule(
            id: scheduleID, experienceId: id, weekdays: body.weekdays, startTimes: body.startTimes, from: body.from, until: body.until,
            capacity: body.capacity, slotsCreated: created
        )
        return try .json(schedule, status: .created)
    }

    /// Open slots with at least `guests` seats (default 1) between `from` and `to` (default: the next 30 days).
    @Sendable func availability(_ request: Request, context: ServiceRequestContext) async throws -> Availability {
        let id = try context.parameters.require("id", as: UUID.self)
        let query = request.uri.queryParameters
        let now = booking.clock.now()
        let from = try query.get("from").map { try Self.date($0, "from") } ?? now
        let to = try query.get("to").map { try Self.date($0, "to") } ?? from.addingTimeInterval(30 * 86_400)
        let guests = try query.get("guests").map { text in
            guard let guests = Int(text), (1...100).contains(guests) else { throw Problem.invalid("guests", "must be an integer from 1 to 100") }
            return guests
        } ?? 1
        guard to > from, to.timeIntervalSince(from) <= 366 * 86_400 else { throw Problem.refused("to", "must be after from, within a year") }
        let experience = try await booking.visibleExperience(id, to: context.identity)
        let slots = try await booking.slots.available(experienceID: id, from: max(from, now), to: to, guests: guests)
        return Availability(experienceId: id, timeZone: experience.timeZone, slots: slots)
    }

    static func date(_ text: String, _ field: String) throws -> Date {
        guard let date = ISO8601Format.parse(text) else { throw Problem.invalid(field, "must be an ISO 8601 date-time such as 2026-12-01T09:00:00Z") }
        return date
    }
}
