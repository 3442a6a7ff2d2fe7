import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceKit

/// Fetches each provider's imported calendars every `interval` and keeps their busy times, which then block the
/// provider's availability. A calendar that cannot be fetched keeps its last good busy times and says why.
struct CalendarImports: PeriodicWork {
    let booking: BookingService
    let http: HTTPClient

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
                    busy = ICalendar.busyTimes(in: try await fetch(url), from: now, through: now.addingTimeInterval(Self.horizon))
                    failure = nil
                } catch {
                    busy = nil
                    failure = "\(error)"
                }
                try await booking.transaction { connection in
                    try await booking.calendars.record(id, providerID: providerID, busy: busy, error: failure, on: connection)
                }
            }
        } catch {
            booking.logger.warning("Calendar import round failed; retrying", metadata: ["error": "\(error)"])
        }
    }

    private func fetch(_ url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/calendar")
        let response = try await http.execute(request, timeout: .seconds(10), logger: booking.logger)
        guard response.status == .ok else { throw FetchError(description: "HTTP \(response.status.code)") }
        return String(buffer: try await response.body.collect(upTo: 5 << 20))
    }

    struct FetchError: Error, CustomStringConvertible {
        let description: String
    }
}
