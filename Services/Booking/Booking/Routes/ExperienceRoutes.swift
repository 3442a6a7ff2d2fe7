import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit

/// Experiences and their availability: providers create, change, publish and archive their own; anyone reads
/// the published ones.
struct ExperienceRoutes {
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
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: change)
        group.post(":id/publish", use: publish)
        group.post(":id/archive", use: archive)
        group.post(":id/slots", use: addSlot)
        group.post(":id/schedules", use: addSchedule)
        group.get(":id/availability", use: availability)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        let fields = try await request.decode(as: ExperienceFields.self, context: context)
        try fields.validate(creating: true)
        let now = booking.clock.now()
        let experience = Experience(
            id: UUID(), providerId: provider.userID, title: fields.title!.trimmed, description: fields.description!.trimmed,
            category: fields.category!, tags: (fields.tags ?? []).map(\.trimmed), location: fields.location!, timeZone: fields.timeZone!,
            durationMinutes: fields.durationMinutes!, price: fields.price!, maxGuests: fields.maxGuests!, bookingMode: fields.bookingMode!,
            cancellationPolicy: fields.cancellationPolicy!, languages: fields.languages!, status: .draft, rating: .init(average: 0, count: 0),
            version: 1, createdAt: now, updatedAt: now
        )
        try await booking.transaction { connection in
            try await booking.experiences.insert(experience, on: connection)
            try await booking.feed(experience, on: connection)
        }
        return try .json(experience, status: .created)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        try await booking.visibleExperience(try context.parameters.require("id", as: UUID.self), to: context.identity)
    }

    /// Published experiences, newest first; `providerId` narrows to one provider, who (like an admin) also sees
    /// their drafts and archived ones.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Experience> {
        let query = request.uri.queryParameters
        let providerID = try query.get("providerId").map { text in
            guard let id = UUID(uuidString: text) else { throw Problem.invalid("providerId", "must be a UUID") }
            return id
        }
        let limit = try Paging.limit(query.get("limit"))
        let isOwner = providerID != nil && (context.identity?.userID == providerID || context.identity?.role == .admin)
        let items = try await booking.experiences.page(providerID: providerID, includeUnpublished: isOwner, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    @Sendable func change(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let fields = try await request.decode(as: ExperienceFields.self, context: context)
        try fields.validate(creating: false)
        return try await booking.transaction { connection in
            var experience = try await booking.ownedExperience(id, by: identity, on: connection)
            if let title = fields.title { experience.title = title.trimmed }
            if let description = fields.description { experience.description = description.trimmed }
            if let category = fields.category { experience.category = category }
            if let tags = fields.tags { experience.tags = tags.map(\.trimmed) }
            if let location = fields.location { experience.location = location }
            if let timeZone = fields.timeZone { experience.timeZone = timeZone }
            if let durationMinutes = fields.durationMinutes { experience.durationMinutes = durationMinutes }
            if let price = fields.price { experience.price = price }
            if let maxGuests = fields.maxGuests { experience.maxGuests = maxGuests }
            if let bookingMode = fields.bookingMode { experience.bookingMode = bookingMode }
            if let cancellationPolicy = fields.cancellationPolicy { experience.cancellationPolicy = cancellationPolicy }
            if let languages = fields.languages { experience.languages = languages }
            let stored = try await booking.experiences.update(experience, at: booking.clock.now(), on: connection)
            try await booking.feed(stored, on: connection)
            return stored
        }
    }

    @Sendable func publish(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        try await setStatus(.published, allowedFrom: [.draft, .archived], request, context)
    }

    @Sendable func archive(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        try await setStatus(.archived, allowedFrom: [.draft, .published], request, context)
    }

    private func setStatus(_ status: Experience.Status, allowedFrom: Set<Experience.Status>, _ request: Request, _ context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        return try await booking.transaction { connection in
            var experience = try await booking.ownedExperience(id, by: identity, on: connection)
            if experience.status == status { return experience }
            guard allowedFrom.contains(experience.status) else {
                throw Problem.conflict("An experience that is \(experience.status.rawValue) cannot become \(status.rawValue).", code: "invalid_transition")
            }
            experience.status = status
            let stored = try await booking.experiences.update(experience, at: booking.clock.now(), on: connection)
            try await booking.feed(stored, on: connection)
            return stored
        }
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

extension BookingService {
    /// Adds `slots` to `experience`, skipping any it has at the same start; unless `allowOverlap`, refuses (409)
    /// slots that overlap another open slot of the same provider. A per-provider lock makes the check and the
    /// inserts one step. Returns how many were added.
    func addSlots(_ slots: [Slot], of experience: Experience, scheduleID: UUID?, allowOverlap: Bool, on connection: PostgresConnection) async throws -> Int {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("slots:" + experience.providerId.uuidString)))", logger: logger)
        var created = 0
        for slot in slots {
            if !allowOverlap, try await calendars.isBusy(experience.providerId, from: slot.startsAt, to: slot.endsAt, on: connection) {
                throw Problem.conflict(
                    "Your imported calendar is busy at \(slot.startsAt.formatted(ISO8601Format.withFractionalSeconds)); send allowOverlap: true to add it anyway.",
                    code: "calendar_busy"
                )
            }
            if !allowOverlap, let clash = try await self.slots.overlapping(providerID: experience.providerId, start: slot.startsAt, end: slot.endsAt, on: connection) {
                throw Problem.conflict(
                    "This overlaps your slot at \(clash.startsAt.formatted(ISO8601Format.withFractionalSeconds)); send allowOverlap: true if both can run.",
                    code: "slot_overlap"
                )
            }
            if try await self.slots.insert(slot, providerID: experience.providerId, scheduleID: scheduleID, on: connection) {
                created += 1
            }
        }
        return created
    }
}
