import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Everything Notify's routes and workers share, assembled once by `buildApplication`.
struct NotifyService: Sendable {
    struct Limits: Sendable {
        /// Tries before a job is dead (`NOTIFY_MAX_ATTEMPTS`).
        var maxAttempts = 12
        /// The first retry's delay, doubled per try up to `maxBackoff`.
        var firstBackoff: Duration = .seconds(5)
        var maxBackoff: Duration = .seconds(3600)
        /// How long a worker holds a job before another may take it over.
        var lease: Duration = .seconds(60)
        /// Notices per recipient per channel per hour, security mail aside (`NOTIFY_RATE_LIMIT_PER_HOUR`).
        var perHour = 30
        /// How long a digest's first notice waits for others (`NOTIFY_DIGEST_WINDOW_MS`).
        var digestWindow: Duration = .seconds(300)
    }

    let postgres: PostgresClient
    let logger: Logger
    let clock: WallClock
    let limits: Limits
    let jobs: Jobs
    let inbox: Inbox
    let preferences: PreferenceStore
    let devices: Devices
    let accounts: Accounts
    let contacts: ContactBook
    let templates: Templates
    /// The way out of each channel but the in-app inbox.
    let senders: [Channel: any Sender]
    /// The folder the development mailbox writes to and `GET /api/v1/dev/mailbox` lists; `nil` outside development.
    let mailbox: URL?

    /// Accepts `request` once per idempotency key: a job for each channel the recipient wants now (checked again at
    /// sending time), due at `sendAt`; by email a digest's first notice waits a little and the next ones join it.
    func accept(_ request: NotificationRequest) async throws -> (id: UUID, isNew: Bool) {
        let now = clock.now()
        let wanted = try await preferences.find(request.recipientId)
        let due = request.sendAt ?? now
        let digests = NotificationCatalog.entries[request.type]?.digests == true
        let channels = Channel.allCases.filter { wanted.allows($0, for: request.type) }.map { channel in
            (channel, digests && channel == .email ? due.addingTimeInterval(limits.digestWindow.milliseconds / 1000) : due)
        }
        return try await jobs.accept(request, channels: channels, digest: digests ? .email : nil, at: now)
    }

    /// Renders `type` for the reader, with the digest's other notices when it gathers them.
    func render(_ type: NotificationType, _ data: [[String: JSONValue]], recipientName: String, preferences: Preferences) -> RenderedMessage? {
        var view = TemplateView.make(data.first ?? [:], recipientName: recipientName, preferences: preferences)
        if NotificationCatalog.entries[type]?.digests == true {
            view = TemplateView.digest(data.map { TemplateView.make($0, recipientName: recipientName, preferences: preferences) })
        }
        return templates.render(type, language: preferences.language, view: view)
    }

    /// The delay before try `attempts + 1`.
    func backoff(after attempts: Int) -> Duration {
        min(limits.firstBackoff * (1 << min(attempts - 1, 30)), limits.maxBackoff)
    }
}
