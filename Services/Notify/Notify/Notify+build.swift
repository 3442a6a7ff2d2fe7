import Foundation
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle

/// Builds the Notify service: notifications accepted from the other services, delivered by email, SMS, push and
/// the in-app inbox from templates, by workers that share the jobs through PostgreSQL (``NotifySettings`` lists the
/// variables). `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = try NotifySettings(configuration)
    let runtime = try await ServiceRuntime<PostgresStore>(configuration: configuration, migrations: NotifyMigrations.all)
    let postgres = runtime.postgres
    let logger = runtime.logger
    let senders = try notifySenders(settings, logger: logger)
    let usesMailbox = senders.values.contains { $0 is MailboxSender }
    let notify = NotifyService(
        postgres: postgres,
        logger: logger,
        clock: clock,
        limits: settings.limits,
        jobs: Jobs(postgres: postgres, logger: logger),
        inbox: Inbox(postgres: postgres, logger: logger),
        preferences: PreferenceStore(postgres: postgres, logger: logger),
        devices: Devices(postgres: postgres, logger: logger),
        accounts: Accounts(postgres: postgres, logger: logger),
        contacts: ContactBook(client: runtime.internalClient, logger: logger, clock: clock),
        templates: try Templates.load(from: NotifyAPI.templates),
        senders: senders,
        mailbox: usesMailbox && settings.listsMailbox ? settings.mailboxFolder : nil
    )
    let worker = DeliveryWorker(
        notify: notify,
        workers: settings.workers,
        pollInterval: settings.pollInterval,
        isMigrated: { runtime.isMigrated }
    )
    let authenticator = runtime.tokenAuthenticator()
    let router = runtime.makeRouter(openAPI: NotifyAPI.document, readiness: [authenticator.readiness])
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    InboxRoutes(notify: notify).addRoutes(to: router)
    PreferenceRoutes(notify: notify).addRoutes(to: router)
    DeviceRoutes(notify: notify).addRoutes(to: router)
    PreviewRoutes(notify: notify).addRoutes(to: router)
    InternalRoutes(notify: notify, accepted: { worker.nudge() }).addRoutes(to: runtime.internalRoutes(of: router))
    // Senders with a life of their own stop after the workers: the services given later stop first.
    let senderServices = senders.values.compactMap { $0 as? any Service }
    return runtime.makeApplication(router: router, services: senderServices + [worker])
}
