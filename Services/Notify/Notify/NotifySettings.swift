import Foundation
import ServiceKit

/// Notify's own settings, read and checked once before anything connects.
///
/// | variable | default |
/// |---|---|
/// | `NOTIFY_WORKERS`, `NOTIFY_POLL_MS` | `2`, `250`: deliveries at a time per instance, and how often to look for due jobs |
/// | `NOTIFY_MAX_ATTEMPTS`, `NOTIFY_RETRY_BASE_MS` | `12`, `5000`: tries before a job is dead (about two and a half hours of retrying); the first retry's delay, doubled per try up to an hour |
/// | `NOTIFY_RATE_LIMIT_PER_HOUR` | `30`: notices per recipient per channel per hour (security mail aside) |
/// | `NOTIFY_DIGEST_WINDOW_MS` | `300000`: how long a new-message mail waits to gather the next ones |
/// | `EMAIL_PROVIDER` | `mailbox` (a folder), `smtp` or `sendgrid` |
/// | `MAIL_FROM`, `MAIL_FROM_NAME` | `no-reply@mayago.example`, `MayaGo` |
/// | `SMTP_URL`, `SMTP_USERNAME`, `SMTP_PASSWORD` | `smtp://127.0.0.1:1025` (STARTTLS when offered; `smtps://` for TLS; `?ssl_ca_certs=FILE`: the authorities trusted), no login |
/// | `SENDGRID_API_KEY`, `SENDGRID_API_URL` | required with `sendgrid`; `https://api.sendgrid.com` |
/// | `SMS_PROVIDER` | `mailbox` or `twilio` |
/// | `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_FROM`, `TWILIO_API_URL` | required with `twilio`; `https://api.twilio.com` |
/// | `PUSH_PROVIDER` | `mailbox` or `fcm` |
/// | `FCM_CREDENTIALS`, `FCM_API_URL` | with `fcm`: a Google service account's JSON key file; `https://fcm.googleapis.com` |
/// | `MAILBOX_PATH` | `run/mailbox`: where the `mailbox` providers write |
/// | `DEV_MAILBOX` | `false`: `true` lists the mailbox, everyone's mail, at `GET /api/v1/dev/mailbox` (refused in production) |
struct NotifySettings: Sendable {
    enum Email: Sendable {
        case mailbox
        case smtp(url: String, username: String?, password: String?)
        case sendgrid(apiKey: String, baseURL: URL)
    }

    enum SMS: Sendable {
        case mailbox
        case twilio(accountSID: String, authToken: String, from: String, baseURL: URL)
    }

    enum Push: Sendable {
        case mailbox
        case fcm(credentials: URL, baseURL: URL)
    }

    var limits: NotifyService.Limits
    var workers: Int
    var pollInterval: Duration
    var email: Email
    var mailFrom: String
    var mailFromName: String
    var sms: SMS
    var push: Push
    var mailboxFolder: URL
    /// Whether `GET /api/v1/dev/mailbox` lists the mailbox: everyone's mail, reset links included, so a development
    /// convenience that is asked for, never inferred.
    var listsMailbox: Bool

    init(_ configuration: ServiceConfiguration) throws {
        let settings = configuration.settings
        func required(_ key: String, for provider: String) throws -> String {
            guard let value = settings.optionalString(key, isSecret: true) else {
                throw ConfigurationError(variable: Settings.variable(for: key), expected: "a value with \(provider)", value: nil)
            }
            return value
        }
        limits = NotifyService.Limits(
            maxAttempts: try settings.int("notify.max.attempts", default: 12, in: 1...50),
            firstBackoff: try settings.milliseconds("notify.retry.base.ms", default: .seconds(5)),
            perHour: try settings.int("notify.rate.limit.per.hour", default: 30, in: 1...100_000),
            digestWindow: try settings.milliseconds("notify.digest.window.ms", default: .seconds(300), in: 0...86_400_000)
        )
        workers = try settings.int("notify.workers", default: 2, in: 1...64)
        pollInterval = try settings.milliseconds("notify.poll.ms", default: .milliseconds(250))
        mailFrom = settings.string("mail.from", default: "no-reply@mayago.example")
        mailFromName = settings.string("mail.from.name", default: "MayaGo")
        switch try settings.choice("email.provider", default: EmailProvider.mailbox) {
        case .mailbox:
            email = .mailbox
        case .smtp:
            email = .smtp(
                url: try settings.url("smtp.url", default: "smtp://127.0.0.1:1025", schemes: ["smtp", "smtps"]).absoluteString,
                username: settings.optionalString("smtp.username"), password: settings.optionalString("smtp.password", isSecret: true)
            )
        case .sendgrid:
            email = .sendgrid(
                apiKey: try required("sendgrid.api.key", for: "EMAIL_PROVIDER=sendgrid"),
                baseURL: try settings.url("sendgrid.api.url", default: "https://api.sendgrid.com", schemes: ["https", "http"])
            )
        }
        switch try settings.choice("sms.provider", default: SMSProvider.mailbox) {
        case .mailbox:
            sms = .mailbox
        case .twilio:
            sms = .twilio(
                accountSID: try required("twilio.account.sid", for: "SMS_PROVIDER=twilio"),
                authToken: try required("twilio.auth.token", for: "SMS_PROVIDER=twilio"),
                from: try required("twilio.from", for: "SMS_PROVIDER=twilio"),
                baseURL: try settings.url("twilio.api.url", default: "https://api.twilio.com", schemes: ["https", "http"])
            )
        }
        switch try settings.choice("push.provider", default: PushProvider.mailbox) {
        case .mailbox:
            push = .mailbox
        case .fcm:
            push = .fcm(
                credentials: URL(fileURLWithPath: try required("fcm.credentials", for: "PUSH_PROVIDER=fcm")),
                baseURL: try settings.url("fcm.api.url", default: "https://fcm.googleapis.com", schemes: ["https", "http"])
            )
        }
        mailboxFolder = URL(fileURLWithPath: settings.string("mailbox.path", default: "run/mailbox"))
        listsMailbox = try settings.bool("dev.mailbox", default: false)
        if listsMailbox, configuration.environment == .production {
            throw ConfigurationError(variable: "DEV_MAILBOX", expected: "false in production (the development mailbox shows everyone's mail)", value: "true")
        }
    }
}

enum EmailProvider: String, CaseIterable {
    case mailbox, smtp, sendgrid
}

enum SMSProvider: String, CaseIterable {
    case mailbox, twilio
}

enum PushProvider: String, CaseIterable {
    case mailbox, fcm
}
