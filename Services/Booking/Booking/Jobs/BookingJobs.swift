import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The clock's work, every `interval`: unpaid holds expire, unanswered requests are declined, finished
/// experiences complete (releasing escrow and asking for a review), travelers are reminded a day ahead, and
/// Search is told each changed slot's seats (once per round, however many bookings changed it). Rows are
/// claimed with `FOR UPDATE SKIP LOCKED`, so any number of instances share the work.
struct BookingJobs: PeriodicWork {
    let booking: BookingService

    /// One round; errors are logged and the next round tries again.
    func runOnce() async {
        let now = booking.clock.now()
        for (status, column, event) in [
            (BookingStatus.pendingPayment, Bookings.DueColumn.holdExpiresAt, BookingStateMachine.Event.holdExpired),
            (.awaitingProvider, .respondBy, .requestTimedOut),
            (.confirmed, .endsAt, .completed),
        ] {
            do {
                try await booking.transaction { connection in
                    for id in try await booking.bookings.due(status, column, at: now, on: connection) {
                        guard let found = try await booking.bookings.find(id, on: connection) else { continue }
                        _ = try await booking.apply(event, to: found, on: connection)
                    }
                }
            } catch {
                booking.logger.warning("Booking job failed; retrying next round", metadata: ["job": "\(event)", "error": "\(error)"])
            }
        }
        do {
            try await sendReminders(at: now)
            try await feedChangedSlots()
        } catch {
            booking.logger.warning("Reminder or feed job failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }

    /// Each changed slot's state now, to Search. Another instance doing the same at once only repeats a version,
    /// which Search ignores. Three statements whatever the number of slots, the slots' rows locked only by the
    /// last: bookings on those slots wait for a commit, not for a round trip per slot.
    private func feedChangedSlots() async throws {
        try await booking.transaction { connection in
            let slots = try await booking.slots.unfed(limit: 500, on: connection)
            let events = try slots.map { slot in
                try OutboxMessage(booking.feedEvent(for: slot))
            }
            try await Outbox.enqueue(events, on: connection, logger: booking.logger)
            try await booking.slots.markFed(slots, on: connection)
        }
    }

    /// A reminder to each confirmed traveler whose experience starts within a day, once.
    private func sendReminders(at now: Date) async throws {
        try await booking.transaction { connection in
            let ids = try await booking.bookings.claimReminders(startingBy: now.addingTimeInterval(86_400), at: now, on: connection)
            for id in ids {
                guard let found = try await booking.bookings.find(id, on: connection),
                    let experience = try await booking.experiences.find(found.experienceId, on: connection)
                else { continue }
                var extra: [String: JSONValue] = [:]
                if let address = experience.location.address { extra["address"] = .string(address) }
                try await booking.notify(.bookingReminder, found.travelerId, found, experience, extra: extra, on: connection)
            }
        }
    }
}
