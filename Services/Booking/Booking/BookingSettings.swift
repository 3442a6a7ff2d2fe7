import Foundation
import ServiceKit

/// Booking's own settings.
///
/// | variable | default |
/// |---|---|
/// | `BOOKING_HOLD_MINUTES` | `15`: how long seats are held for an unpaid booking |
/// | `BOOKING_RESPONSE_HOURS` | `24`: how long a provider has to answer a request to book |
/// | `BOOKING_JOBS_INTERVAL_MS` | `1000`: how often holds, requests, completions and reminders are looked at |
/// | `CALENDAR_REFRESH_MS` | `900000`: how often an imported calendar is fetched again |
/// | `CALENDAR_ALLOW_PRIVATE_HOSTS` | `false`: whether imports may reach loopback or private addresses (for tests; refused in production) |
/// | `CALENDAR_MAX_IMPORTS` | `10`: calendars a provider may import |
/// | `PUBLIC_URL` | `http://localhost:8080`: where calendar feed URLs point |
/// | `PHOTO_MAX_BYTES` | `15728640`: the largest photo upload |
/// | `OBJECT_STORE_PATH` | `run/objects`: the folder photos are kept in when no `S3_BUCKET` is set (see `Settings.objectStore`) |
struct BookingSettings: Sendable {
    var hold: TimeInterval
    var responseWindow: TimeInterval
    var jobsInterval: Duration
    var calendarRefresh: Duration
    var allowPrivateCalendarHosts: Bool
    var maxCalendarImports: Int
    var publicURL: URL
    var photoLimits: PhotoLimits
    var objects: any ObjectStore

    init(_ configuration: ServiceConfiguration) throws {
        let settings = configuration.settings
        hold = TimeInterval(try settings.int("booking.hold.minutes", default: 15, in: 1...1440) * 60)
        responseWindow = TimeInterval(try settings.int("booking.response.hours", default: 24, in: 1...720) * 3600)
        jobsInterval = try settings.milliseconds("booking.jobs.interval.ms", default: .seconds(1))
        calendarRefresh = try settings.milliseconds("calendar.refresh.ms", default: .seconds(900))
        allowPrivateCalendarHosts = try settings.bool("calendar.allow.private.hosts", default: false)
        if allowPrivateCalendarHosts, configuration.environment == .production {
            throw ConfigurationError(
                variable: "CALENDAR_ALLOW_PRIVATE_HOSTS", expected: "false in production (imports would reach the services' own network)", value: "true")
        }
        maxCalendarImports = try settings.int("calendar.max.imports", default: 10, in: 1...1000)
        publicURL = try settings.url("public.url", default: "http://localhost:8080", schemes: ["http", "https"])
        photoLimits = PhotoLimits(maxBytes: try settings.int("photo.max.bytes", default: 15 << 20, in: 1...(1 << 30)))
        objects = try settings.objectStore(folder: settings.string("object.store.path", default: "run/objects"), prefix: "booking")
    }
}
