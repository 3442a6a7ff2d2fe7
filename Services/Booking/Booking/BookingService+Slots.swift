import Contracts
import Foundation
import PostgresNIO
import ServiceKit

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
