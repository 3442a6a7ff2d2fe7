import Foundation
import Hummingbird
import HummingbirdWebSocket
import Redis
import ServiceKit

/// Builds the Messaging service: conversations and their history in PostgreSQL, live delivery over WebSocket with
/// Redis pub/sub between instances, presence and typing in Redis, attachments on disk by content hash, and
/// offline members told through Notify (``MessagingSettings`` lists what can be set). `clock` is the system's except in
/// tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = try MessagingSettings(configuration)
    let runtime = try await ServiceRuntime<PostgresAndRedis>(configuration: configuration, migrations: MessagingMigrations.all)
    let postgres = runtime.postgres
    let redis = runtime.redis
    let logger = runtime.logger
    let presence = Presence(redis: redis, logger: logger, lifetime: settings.presenceLifetime, typingLifetime: settings.typingLifetime)
    let subscriber = RedisSubscriber(configuration: redis.configuration, logger: logger)
    let hub = Hub(redis: redis, subscriber: subscriber, presence: presence, clock: clock, logger: logger)
    let files = AttachmentFiles(objects: settings.attachments)
    let attachments = Attachments(postgres: postgres, logger: logger)
    let messaging = MessagingService(
        logger: logger, clock: clock, limits: settings.limits,
        conversations: Conversations(postgres: postgres, logger: logger),
        messages: Messages(postgres: postgres, reads: runtime.reads.postgres, outbox: runtime.outbox, logger: logger),
        attachments: attachments,
        files: files,
        accounts: Accounts(postgres: postgres, logger: logger),
        directory: Directory(client: runtime.internalClient, logger: logger),
        presence: presence,
        hub: hub,
        translator: CachedTranslator(base: translator(settings.translation), redis: redis, logger: logger)
    )
    let authenticator = runtime.tokenAuthenticator()
    // Not ready until this instance hears the others: a socket attached before would miss what they publish.
    let router = runtime.makeRouter(
        openAPI: MessagingAPI.document,
        readiness: [
            ReadinessCheck(name: "redis subscriber") {
                guard subscriber.isConnected else { throw RedisError.unavailable("the subscriber is not connected") }
            },
            authenticator.readiness,
        ])
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    ConversationRoutes(messaging: messaging).addRoutes(to: router)
    AttachmentRoutes(messaging: messaging).addRoutes(to: router)
    InternalRoutes(messaging: messaging).addRoutes(to: runtime.internalRoutes(of: router))
    let sockets = SocketRoute(messaging: messaging, authenticator: authenticator)
    sockets.addRoutes(to: router)
    return runtime.makeApplication(
        router: router,
        server: .http1WebSocketUpgrade(
            configuration: .init(ws: .init(maxFrameSize: SocketSession.maximumFrameSize, autoPing: .enabled(timePeriod: settings.heartbeat)))
        ) {
            request, channel, logger in await sockets.shouldUpgrade(request, channel: channel, logger: logger)
        },
        services: [
            subscriber, hub,
            PeriodicJob(
                SessionGuard(
                    hub: hub, redis: redis, clock: clock, logger: logger,
                    fullCheckEvery: max(1, Int(settings.sessionFullCheck.milliseconds / settings.sessionCheck.milliseconds))),
                every: settings.sessionCheck,
                isMigrated: { true }
            ),
            PeriodicJob(
                AttachmentSweeper(attachments: attachments, files: files, clock: clock, logger: logger), every: .seconds(3600),
                isMigrated: { runtime.isMigrated }),
        ]
    )
}

func translator(_ translation: MessagingSettings.Translation) -> any Translator {
    switch translation {
    case .local: MarkingTranslator()
    case .libretranslate(let baseURL, let apiKey): LibreTranslator(baseURL: baseURL, apiKey: apiKey, http: .mayaGo)
    }
}
