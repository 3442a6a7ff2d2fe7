import Foundation
import Hummingbird
import HummingbirdWebSocket
import ServiceKit

/// Builds the Messaging service: conversations and their history in PostgreSQL, live delivery over WebSocket with
/// Redis pub/sub between instances, presence and typing in Redis, attachments on disk by content hash, and
/// offline members told through Notify. `clock` is the system's except in tests.
///
/// | variable | default |
/// |---|---|
/// | `MESSAGING_MAX_MESSAGE_CHARS` | `4000` |
/// | `MESSAGING_MAX_ATTACHMENT_BYTES`, `MESSAGING_ATTACHMENTS_PATH` | `10485760`; `run/attachments` (uploads not sent within a day are forgotten, hourly) |
/// | `MESSAGING_NOTIFY_WINDOW_MS` | `300000`: at most one offline notice per conversation and member in this time |
/// | `MESSAGING_SOCKET_QUEUE` | `256`: frames waiting for one socket before its client is let go as too slow |
/// | `MESSAGING_HEARTBEAT_MS` | `30000`: WebSocket pings; a socket that does not answer one by the next is closed |
/// | `MESSAGING_PRESENCE_TTL_MS`, `MESSAGING_TYPING_TTL_MS` | `90000`, `6000` |
/// | `TRANSLATION_PROVIDER` | `local` (marks the text with the language) or `libretranslate` |
/// | `TRANSLATION_API_URL`, `TRANSLATION_API_KEY` | with `libretranslate`: `https://libretranslate.com`, none |
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = configuration.settings
    let runtime = try await ServiceRuntime(configuration: configuration, database: .init(migrations: MessagingMigrations.all), usesRedis: true)
    let postgres = runtime.postgres!
    let redis = runtime.redis!
    let logger = runtime.logger
    let limits = MessagingService.Limits(
        messageCharacters: try settings.int("messaging.max.message.chars", default: 4000, in: 1...100_000),
        attachmentBytes: try settings.int("messaging.max.attachment.bytes", default: 10 << 20, in: 1...(1 << 30)),
        noticeWindow: try settings.milliseconds("messaging.notify.window.ms", default: .seconds(300), in: 0...86_400_000),
        socketQueue: try settings.int("messaging.socket.queue", default: 256, in: 1...100_000),
        framesPerMinute: try settings.int("messaging.socket.frames.per.minute", default: 120, in: 1...100_000),
        frameBurst: try settings.int("messaging.socket.frame.burst", default: 30, in: 1...100_000),
        attachmentQuota: AttachmentQuota(
            perDay: try settings.int("messaging.attachments.per.day", default: 100, in: 1...1_000_000),
            bytesPerDay: Int64(try settings.int("messaging.attachment.bytes.per.day", default: 200 << 20, in: 1...(1 << 40)))
        )
    )
    let presence = Presence(
        redis: redis, logger: logger,
        lifetime: try settings.milliseconds("messaging.presence.ttl.ms", default: .seconds(90), in: 1000...3_600_000),
        typingLifetime: try settings.milliseconds("messaging.typing.ttl.ms", default: .seconds(6), in: 100...60_000)
    )
    let subscriber = RedisSubscriber(configuration: redis.configuration, logger: logger)
    let hub = Hub(redis: redis, subscriber: subscriber, presence: presence, clock: clock, logger: logger)
    let storage = DiskAttachmentStorage(folder: URL(fileURLWithPath: settings.string("messaging.attachments.path", default: "run/attachments")))
    let attachments = Attachments(postgres: postgres, logger: logger)
    let messaging = MessagingService(
        logger: logger, clock: clock, limits: limits,
        conversations: Conversations(postgres: postgres, logger: logger),
        messages: Messages(postgres: postgres, logger: logger),
        attachments: attachments,
        storage: storage,
        directory: Directory(client: runtime.internalClient, logger: logger),
        presence: presence,
        hub: hub,
        translator: CachedTranslator(base: try translator(settings), redis: redis, logger: logger)
    )
    let authenticator = runtime.tokenAuthenticator()
    // Not ready until this instance hears the others: a socket attached before would miss what they publish.
    let router = runtime.makeRouter(openAPI: MessagingAPI.document, readiness: [
        ReadinessCheck(name: "redis subscriber") {
            guard subscriber.isConnected else { throw RedisError.unavailable("the subscriber is not connected") }
        },
    ])
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    ConversationRoutes(messaging: messaging).addRoutes(to: router)
    AttachmentRoutes(messaging: messaging).addRoutes(to: router)
    let sockets = SocketRoute(messaging: messaging, authenticator: authenticator)
    sockets.addRoutes(to: router)
    let heartbeat = try settings.milliseconds("messaging.heartbeat.ms", default: .seconds(30), in: 100...600_000)
    return runtime.makeApplication(
        router: router,
        server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: SocketSession.maximumFrameSize, autoPing: .enabled(timePeriod: heartbeat)))) {
            request, channel, logger in await sockets.shouldUpgrade(request, channel: channel, logger: logger)
        },
        services: [
            subscriber, hub,
            PeriodicJob(
                SessionGuard(hub: hub, redis: redis, clock: clock, logger: logger),
                every: try settings.milliseconds("messaging.session.check.ms", default: .seconds(2), in: 100...60_000),
                isMigrated: { true }
            ),
            PeriodicJob(AttachmentSweeper(attachments: attachments, storage: storage, clock: clock, logger: logger), every: .seconds(3600), isMigrated: { runtime.isMigrated }),
        ]
    )
}

enum TranslationProvider: String, CaseIterable {
    case local, libretranslate
}

func translator(_ settings: Settings) throws -> any Translator {
    switch try settings.choice("translation.provider", default: TranslationProvider.local) {
    case .local:
        MarkingTranslator()
    case .libretranslate:
        LibreTranslator(
            baseURL: try settings.url("translation.api.url", default: "https://libretranslate.com", schemes: ["https", "http"]),
            apiKey: settings.optionalString("translation.api.key", isSecret: true),
            http: .mayaGo
        )
    }
}
