import Foundation
import ServiceKit

/// Booking's own settings.
///
/// | variable | default |
/// |---|---|
/// | `BOOKING_HOLD_MINUTES` | `15`: how long seats are held for an unpaid booking |
/// | `BOOKING_RESPONSE_HOURS` | `24`: how long a provider has to answer a request to book |
/// | `BOOKING_JOBS_INTERVAL_MS` | `1000`: how often holds, requests, completions and reminders are looked at |
struct BookingSettings: Sendable {
    var hold: TimeInterval
    var responseWindow: TimeInterval
    var jobsInterval: Duration

    init(_ settings: Settings) throws {
        hold = TimeInterval(try settings.int("booking.hold.minutes", default: 15, in: 1...1440) * 60)
        responseWindow = TimeInterval(try settings.int("booking.response.hours", default: 24, in: 1...720) * 3600)
        jobsInterval = try settings.milliseconds("booking.jobs.interval.ms", default: .seconds(1))
    }
}
