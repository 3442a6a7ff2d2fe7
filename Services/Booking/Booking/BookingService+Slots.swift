import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// The use cases of availability: a provider opens single slots and weekly schedules; anyone reads open slots.
extension BookingService {
    /// Opens one slot of `experienceID`, which `identity` must own.
    func addSlot(startingAt start: Date, capacity: Int, allowOverlap: Bool, to experienceID: UUID, by identity: Identity) async throws -> Slot {
        try await transaction { connection in
            let experience = try await ownedExperience(experienceID, by: identity, on: connection)
            let slot = experience.slot(startingAt: start, capacity: capacity)
            guard !experience.isBlackedOut(start) else {
                throw Problem(
                    .conflict, detail: "This date is one of the experience's blackout dates.", code: "blackout_date",
                    errors: [FieldError(field: "startsAt", message: "must not fall on a blackout date")])
            }
            let created = try await addSlots([slot], of: experience, scheduleID: nil, allowOverlap: allowOverlap, on: connection)
            guard created == 1 else { throw Problem.conflict("This experience has a slot at that time already.", code: "slot_exists") }
            return slot
        }
    }

    /// Gives a slot of an experience the caller owns `capacity` seats: never fewer than are sold (a 409 naming
    /// `capacity`).
    func changeSlot(_ slotID: UUID, of experienceID: UUID, capacity: Int, by identity: Identity) async throws -> Slot {
        try await transaction { connection in
            let slot = try await ownedSlot(slotID, of: experienceID, by: identity, on: connection)
            guard slot.status == .open else { throw Problem.conflict("This slot is cancelled.", code: "slot_cancelled") }
            guard let resized = slot.resized(to: capacity) else {
                throw Problem(
                    .conflict, detail: "\(slot.sold) seats of this slot are sold.", code: "capacity_below_sold",
                    errors: [FieldError(field: "capacity", message: "must be at least \(slot.sold), the seats sold")]
                )
            }
            return try await slots.resize(resized, on: connection)
        }
    }

    /// Cancels a slot to come of an experience the caller owns: each booking holding its seats is cancelled by the
    /// provider (a full refund, the traveler told), and nobody can book it any more. Cancelling twice does nothing.
    func cancelSlot(_ slotID: UUID, of experienceID: UUID, by identity: Identity) async throws {
        try await transaction { connection in
            let slot = try await ownedSlot(slotID, of: experienceID, by: identity, on: connection)
            guard slot.status == .open else { return }
            guard slot.startsAt > clock.now() else { throw Problem.conflict("This slot has started; it can no longer be cancelled.", code: "already_started") }
            try await cancel(slot, on: connection)
        }
    }

    /// Cancels the slots still to come of a weekly schedule of an experience the caller owns, as ``cancelSlot`` does
    /// one; returns how many. The slots that have taken place stay, with their bookings.
    func cancelSchedule(_ scheduleID: UUID, of experienceID: UUID, by identity: Identity) async throws -> Int {
        try await transaction { connection in
            _ = try await ownedExperience(experienceID, by: identity, on: connection)
            guard try await schedules.exists(scheduleID, of: experienceID, on: connection) else { throw Problem.notFound("No such schedule.") }
            let upcoming = try await slots.upcoming(ofSchedule: scheduleID, after: clock.now(), on: connection)
            for slot in upcoming { try await cancel(slot, on: connection) }
            return upcoming.count
        }
    }

    /// Cancels a locked, open slot and, as the provider's cancellations, the bookings holding its seats.
    private func cancel(_ slot: Slot, on connection: PostgresConnection) async throws {
        for booking in try await bookings.holdingSeats(onSlot: slot.id, on: connection) {
            _ = try await apply(.cancelledByProvider, to: booking, reason: "The provider cancelled this time.", on: connection)
        }
        try await slots.cancel(slot.id, on: connection)
    }

    /// A slot of an experience the caller owns (or an admin), locked; 404 otherwise.
    private func ownedSlot(_ slotID: UUID, of experienceID: UUID, by identity: Identity, on connection: PostgresConnection) async throws -> Slot {
        _ = try await ownedExperience(experienceID, by: identity, on: connection)
        guard let slot = try await slots.find(slotID, of: experienceID, on: connection) else { throw Problem.notFound("No such slot.") }
        return slot
    }

    /// Records a weekly schedule of `experienceID`, which `identity` must own, and opens its slots still to come in
    /// the experience's time zone (none on a blackout date). Returns the schedule's id and how many slots it opened.
    func addSchedule(_ terms: ScheduleTerms, allowOverlap: Bool, to experienceID: UUID, by identity: Identity) async throws -> (id: UUID, slotsCreated: Int) {
        let scheduleID = UUID.random()
        let now = clock.now()
        let created = try await transaction { connection in
            let experience = try await ownedExperience(experienceID, by: identity, on: connection)
            try await schedules.insert(scheduleID, experienceID: experienceID, terms: terms, at: now, on: connection)
            let starts = try startsToCome(of: terms, for: experience, after: now)
            return try await addSlots(
                starts.map { experience.slot(startingAt: $0, capacity: terms.capacity) }, of: experience, scheduleID: scheduleID, allowOverlap: allowOverlap,
                on: connection)
        }
        return (scheduleID, created)
    }

    /// What a schedule's change did to its slots to come.
    struct ScheduleChanges: Sendable {
        var terms: ScheduleTerms
        var slotsCreated: Int
        var slotsCancelled: Int
        var slotsResized: Int
    }

    /// Changes a weekly schedule of an experience the caller owns: its slots to come at starts the new terms keep
    /// take the new capacity (never below the seats sold: a 409 naming `capacity`), those at starts they drop are
    /// cancelled as ``cancelSlot`` does, and new starts get slots. Slots that took place stay as they were.
    func changeSchedule(
        _ scheduleID: UUID, of experienceID: UUID, _ fields: ScheduleFields, by identity: Identity
    ) async throws -> ScheduleChanges {
        try await transaction { connection in
            let experience = try await ownedExperience(experienceID, by: identity, on: connection)
            guard let current = try await schedules.find(scheduleID, of: experienceID, on: connection) else { throw Problem.notFound("No such schedule.") }
            let terms = try fields.terms(changing: current)
            let now = clock.now()
            let upcoming = try await slots.upcoming(ofSchedule: scheduleID, after: now, on: connection)
            let revision: ScheduleRevision
            // A slot made before its date was blacked out stays while the terms keep its start; no new one opens there.
            let starts = try startsToCome(of: terms, for: experience, after: now, skippingBlackouts: false)
            switch ScheduleRevision.revise(upcoming, to: starts, capacity: terms.capacity) {
            case .success(let found): revision = found
            case .failure(let short):
                throw Problem(
                    .conflict, detail: "The slot at \(ISO8601Format.string(short.slot.startsAt)) has \(short.slot.sold) seats sold.",
                    code: "capacity_below_sold", errors: [FieldError(field: "capacity", message: "must be at least \(short.slot.sold), the seats sold")]
                )
            }
            try await schedules.update(scheduleID, to: terms, on: connection)
            for slot in revision.dropped { try await cancel(slot, on: connection) }
            for slot in revision.resized { _ = try await slots.resize(slot, on: connection) }
            let created = try await addSlots(
                revision.added.filter { !experience.isBlackedOut($0) }.map { experience.slot(startingAt: $0, capacity: terms.capacity) }, of: experience,
                scheduleID: scheduleID, allowOverlap: fields.allowOverlap ?? false, on: connection)
            return ScheduleChanges(terms: terms, slotsCreated: created, slotsCancelled: revision.dropped.count, slotsResized: revision.resized.count)
        }
    }

    /// The starts of `terms` after `now` in the experience's time zone, except (unless told) on its blackout dates.
    private func startsToCome(of terms: ScheduleTerms, for experience: Experience, after now: Date, skippingBlackouts: Bool = true) throws -> [Date] {
        guard let zone = TimeZone(identifier: experience.timeZone) else { throw Problem.conflict("The experience's time zone is unknown.") }
        return terms.rule(in: zone).startInstants().filter { $0 > now && !(skippingBlackouts && experience.isBlackedOut($0)) }
    }

    /// The open slots of an experience the caller may see with at least `guests` seats, from `from` (not before
    /// now) until `to`.
    func availability(of experienceID: UUID, to identity: Identity?, from: Date, to: Date, guests: Int) async throws -> (Experience, [Slot]) {
        let experience = try await visibleExperience(experienceID, to: identity)
        let now = clock.now()
        let slots = try await slots.available(experienceID: experienceID, from: max(from, now), to: to, guests: guests, at: now)
        return (experience, slots)
    }

    /// Adds `slots` to `experience`, skipping any it has at the same start; unless `allowOverlap`, refuses (409)
    /// slots that overlap another open slot of the same provider. A per-provider lock makes the check and the
    /// inserts one step. Returns how many were added.
    func addSlots(_ slots: [Slot], of experience: Experience, scheduleID: UUID?, allowOverlap: Bool, on connection: PostgresConnection) async throws -> Int {
        try await self.slots.lockProvider(experience.providerId, on: connection)
        var created = 0
        for slot in slots {
            if !allowOverlap, try await calendars.isBusy(experience.providerId, from: slot.startsAt, to: slot.endsAt, on: connection) {
                throw Problem.conflict(
                    "Your imported calendar is busy at \(ISO8601Format.string(slot.startsAt)); send allowOverlap: true to add it anyway.",
                    code: "calendar_busy"
                )
            }
            if !allowOverlap,
                let clash = try await self.slots.overlapping(providerID: experience.providerId, start: slot.startsAt, end: slot.endsAt, on: connection)
            {
                throw Problem.conflict(
                    "This overlaps your slot at \(ISO8601Format.string(clash.startsAt)); send allowOverlap: true if both can run.",
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
