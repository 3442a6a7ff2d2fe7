import Foundation
import ServiceKit

/// Messaging's own settings.
///
/// | variable | default |
/// |---|---|
/// | `MESSAGING_MAX_MESSAGE_CHARS` | `4000` |
/// | `MESSAGING_MAX_ATTACHMENT_BYTES`, `MESSAGING_ATTACHMENTS_PATH` | `10485760`; `run/attachments`, the folder when no `S3_BUCKET` is set (see `Settings.objectStore`; uploads not sent within a day are forgotten, hourly) |
/// | `MESSAGING_ATTACHMENTS_PER_DAY`, `MESSAGING_ATTACHMENT_BYTES_PER_DAY` | `100`, `209715200`: what one user may upload in a day |
/// | `MESSAGING_NOTIFY_WINDOW_MS` | `300000`: at most one offline notice per conversation and member in this time |
/// | `MESSAGING_SOCKET_QUEUE` | `256`: frames waiting for one socket before its client is let go as too slow |
/// | `MESSAGING_SOCKET_FRAMES_PER_MINUTE`, `MESSAGING_SOCKET_FRAME_BURST` | `120`, `30`: what one socket may send |
/// | `MESSAGING_HEARTBEAT_MS` | `30000`: WebSocket pings; a socket that does not answer one by the next is closed |
/// | `MESSAGING_SESSION_CHECK_MS` | `2000`: how often open sockets' sign-ins are checked for expiry and revocation (the revocations since the last check) |
/// | `MESSAGING_SESSION_FULL_CHECK_MS` | `60000`: how often every open socket's token is looked up on the deny-list instead |
/// | `MESSAGING_PRESENCE_TTL_MS`, `MESSAGING_TYPING_TTL_MS` | `90000`, `6000` |
/// | `TRANSLATION_PROVIDER` | `local` (marks the text with the language) or `libretranslate` |
/// | `TRANSLATION_API_URL`, `TRANSLATION_API_KEY` | with `libretranslate`: `https://libretranslate.com`, none |
struct MessagingSettings: Sendable {
    enum Translation: Sendable {
        case local
        case libretranslate(baseURL: URL, apiKey: String?)
    }

    var limits: MessagingService.Limits
    var attachments: any ObjectStore
    var presenceLifetime: Duration
    var typingLifetime: Duration
    var heartbeat: Duration
    var sessionCheck: Duration
    var sessionFullCheck: Duration
    var translation: Translation

    init(_ configuration: ServiceConfiguration) throws {
        let settings = configuration.settings
        limits = MessagingService.Limits(
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
        attachments = try settings.objectStore(folder: settings.string("messaging.attachments.path", default: "run/attachments"), prefix: "messaging")
        presenceLifetime = try settings.milliseconds("messaging.presence.ttl.ms", default: .seconds(90), in: 1000...3_600_000)
        typingLifetime = try settings.milliseconds("messaging.typing.ttl.ms", default: .seconds(6), in: 100...60_000)
        heartbeat = try settings.milliseconds("messaging.heartbeat.ms", default: .seconds(30), in: 100...600_000)
        sessionCheck = try settings.milliseconds("messaging.session.check.ms", default: .seconds(2), in: 100...60_000)
        sessionFullCheck = try settings.milliseconds("messaging.session.full.check.ms", default: .seconds(60), in: 100...3_600_000)
        switch try settings.choice("translation.provider", default: TranslationProvider.local) {
        case .local:
            translation = .local
        case .libretranslate:
            translation = .libretranslate(
                baseURL: try settings.url("translation.api.url", default: "https://libretranslate.com", schemes: ["https", "http"]),
                apiKey: settings.optionalString("translation.api.key", isSecret: true)
            )
        }
    }

    enum TranslationProvider: String, CaseIterable {
        case local, libretranslate
    }
}
