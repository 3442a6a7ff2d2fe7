import Foundation
import Logging
import ServiceKit

/// Fetches each provider's imported calendars every `interval` and keeps their busy times, which then block the
/// provider's availability. A calendar that cannot be fetched keeps its last good busy times and says why.
struct CalendarImports: PeriodicWork {
    let booking: BookingService

    /// How far ahead a repeating busy time is expanded: a year, beyond which few experiences are scheduled.
    static let horizon: TimeInterval = 366 * 86_400

    func runOnce() async {
        let now = booking.clock.now()
        let interval = TimeInterval(booking.settings.calendarRefresh.components.seconds)
        do {
            for (id, providerID, url) in try await booking.calendars.claimDueImports(before: now.addingTimeInterval(-interval), at: now) {
                let busy: [(start: Date, end: Date)]?
                let failure: String?
                do {
                    busy = ICalendar.busyTimes(in: try await booking.calendarFetcher.fetch(url), from: now, through: now.addingTimeInterval(Self.horizon))
                    failure = nil
                } catch let error as CalendarFetcher.Failure {
                    booking.logger.info("Calendar import failed", metadata: ["import": "\(id)", "error": "\(error.detail)"])
                    busy = nil
                    failure = error.description
                }
                try await booking.transaction { connection in
                    try await booking.calendars.record(id, providerID: providerID, busy: busy, error: failure, on: connection)
                }
            }
        } catch {
            booking.logger.warning("Calendar import round failed; retrying", metadata: ["error": "\(error)"])
        }
    }
}
