import Hummingbird
import Imaging
import ServiceKit

/// Builds the Booking service: experiences, availability, bookings and their clock-driven jobs. `clock` is the
/// system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = try BookingSettings(configuration)
    let runtime = try await ServiceRuntime<PostgresStore>(configuration: configuration, migrations: BookingMigrations.all)
    let postgres = runtime.postgres
    let booking = BookingService(
        postgres: postgres,
        logger: runtime.logger,
        clock: clock,
        settings: settings,
        experiences: Experiences(postgres: postgres, reads: runtime.reads.postgres, logger: runtime.logger),
        slots: Slots(postgres: postgres, reads: runtime.reads.postgres, logger: runtime.logger),
        schedules: Schedules(logger: runtime.logger),
        bookings: Bookings(postgres: postgres, logger: runtime.logger),
        reviews: Reviews(postgres: postgres, reads: runtime.reads.postgres, logger: runtime.logger),
        calendars: Calendars(postgres: postgres, logger: runtime.logger),
        calendarFetcher: CalendarFetcher(allowPrivate: settings.allowPrivateCalendarHosts),
        providers: ProviderDirectory(client: runtime.internalClient, logger: runtime.logger),
        outbox: runtime.outbox,
        photos: Photos(postgres: postgres, logger: runtime.logger),
        accounts: Accounts(postgres: postgres, logger: runtime.logger),
        images: ImageProcessor()
    )
    let authenticator = runtime.tokenAuthenticator()
    let router = runtime.makeRouter(openAPI: BookingAPI.document, readiness: [authenticator.readiness])
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    ExperienceRoutes(booking: booking).addRoutes(to: router)
    AvailabilityRoutes(booking: booking).addRoutes(to: router)
    BookingRoutes(booking: booking).addRoutes(to: router)
    ReviewRoutes(booking: booking).addRoutes(to: router)
    CalendarRoutes(booking: booking).addRoutes(to: router)
    ProviderRoutes(booking: booking).addRoutes(to: router)
    PhotoRoutes(booking: booking).addRoutes(to: router)
    InternalRoutes(booking: booking).addRoutes(to: runtime.internalRoutes(of: router))
    return runtime.makeApplication(
        router: router,
        services: [
            PeriodicJob(BookingJobs(booking: booking), every: booking.settings.jobsInterval, isMigrated: { runtime.isMigrated }),
            // Looks often; each calendar is fetched only when its refresh is due.
            PeriodicJob(CalendarImports(booking: booking), every: .milliseconds(250), isMigrated: { runtime.isMigrated }),
            PeriodicJob(PhotoVariants(booking: booking), every: .milliseconds(250), isMigrated: { runtime.isMigrated }),
        ])
}
