import Foundation
import ServiceKit

/// A weekly schedule as its provider states it: which days, at which local times, between which dates, with how
/// many seats per slot.
struct ScheduleTerms: Sendable, Equatable {
    var weekdays: [Int]
    var startTimes: [LocalTime]
    var from: LocalDate
    var until: LocalDate
    var capacity: Int

    /// The rule that makes its slots in `zone`.
    func rule(in zone: TimeZone) -> WeeklySchedule {
        WeeklySchedule(weekdays: Set(weekdays), startTimes: startTimes, from: from, until: until, timeZone: zone)
    }
}

/// The fields a provider sends for a weekly schedule, all optional so that one type serves creation (where
/// ``terms(changing:)`` requires them) and `PATCH`.
struct ScheduleFields: Decodable, Sendable {
    var weekdays: [Int]?
    var startTimes: [String]?
    var from: String?
    var until: String?
    var capacity: Int?
    var allowOverlap: Bool?

    /// `base` with every given field, checked; without a base every field is required. Throws a 400 naming each
    /// field that is missing or wrong.
    func terms(changing base: ScheduleTerms? = nil) throws -> ScheduleTerms {
        var validator = Validator()
        func required(_ value: Any?, _ field: String) {
            if base == nil, value == nil { validator.fail(field, "is required") }
        }
        required(weekdays, "weekdays")
        required(startTimes, "startTimes")
        required(from, "from")
        required(until, "until")
        required(capacity, "capacity")
        if let weekdays {
            validator.check(
                !weekdays.isEmpty && weekdays.allSatisfy { (1...7).contains($0) }, "weekdays", "must list ISO weekdays from 1 (Monday) to 7 (Sunday)")
        }
        let times = startTimes?.map(LocalTime.init)
        if let times {
            validator.check((1...12).contains(times.count), "startTimes", "must list 1 to 12 times")
            for (index, time) in times.enumerated() where time == nil { validator.fail("startTimes[\(index)]", "must be a time such as 09:30") }
        }
        let fromDate = from.flatMap(LocalDate.init)
        let untilDate = until.flatMap(LocalDate.init)
        if from != nil { validator.check(fromDate != nil, "from", "must be a date such as 2026-12-01") }
        if until != nil { validator.check(untilDate != nil, "until", "must be a date such as 2027-03-31") }
        if let capacity { validator.check((1...10_000).contains(capacity), "capacity", "must be from 1 to 10000") }
        try validator.validate()
        let terms: ScheduleTerms
        if let base {
            terms = ScheduleTerms(
                weekdays: weekdays ?? base.weekdays, startTimes: times.map { $0.compactMap { $0 } } ?? base.startTimes, from: fromDate ?? base.from,
                until: untilDate ?? base.until, capacity: capacity ?? base.capacity)
        } else if let weekdays, let times, let fromDate, let untilDate, let capacity {
            terms = ScheduleTerms(weekdays: weekdays, startTimes: times.compactMap { $0 }, from: fromDate, until: untilDate, capacity: capacity)
        } else {
            throw Problem.internalError  // the validator refused a missing field above
        }
        guard terms.from <= terms.until, terms.from.days(to: terms.until) <= 366 else {
            throw Problem.refused("until", "must be on or after from, within a year")
        }
        return terms
    }
}

/// What changing a weekly schedule does to its slots still to come: a slot at a start the new terms keep stays,
/// resized if the capacity changed; one at a start they drop is cancelled (with its bookings); a start they add
/// gets a slot.
struct ScheduleRevision: Sendable, Equatable {
    /// Kept slots with their new capacity, only those whose capacity changes.
    var resized: [Slot]
    var dropped: [Slot]
    var added: [Date]

    /// The revision from `upcoming` (the schedule's open slots to come) to `starts` (the new terms' starts to come)
    /// with `capacity` seats; a failure naming the first kept slot that has sold more seats than that.
    static func revise(_ upcoming: [Slot], to starts: [Date], capacity: Int) -> Result<ScheduleRevision, ShortSlot> {
        let wanted = Set(starts)
        let had = Set(upcoming.map(\.startsAt))
        var resized: [Slot] = []
        for slot in upcoming where wanted.contains(slot.startsAt) && slot.capacity != capacity {
            guard let changed = slot.resized(to: capacity) else { return .failure(ShortSlot(slot: slot)) }
            resized.append(changed)
        }
        return .success(
            ScheduleRevision(resized: resized, dropped: upcoming.filter { !wanted.contains($0.startsAt) }, added: starts.filter { !had.contains($0) }))
    }

    /// A slot that sold more seats than the new capacity.
    struct ShortSlot: Error, Equatable {
        var slot: Slot
    }
}
