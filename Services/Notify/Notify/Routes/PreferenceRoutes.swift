import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit

/// `GET` and `PUT /api/v1/notifications/preferences`: the caller's channels per notification type, language,
/// time zone, phone for SMS and quiet hours. `PUT` replaces the whole document; what it leaves out is the default.
/// A new phone gets a code by SMS, confirmed at `POST …/preferences/phone/verify` (a new code at `…/phone/code`);
/// until then no SMS goes to it, so that nobody can have texts sent to someone else's number.
struct PreferenceRoutes {
    let notify: NotifyService

    struct Code: Decodable {
        var code: String
    }

    /// The preferences with every type's channels spelled out, and the types whose email cannot be turned off.
    struct View: ResponseCodable {
        var language: String
        var timeZone: String
        var phone: String?
        var phoneVerified: Bool
        var quietHours: QuietHours?
        var channels: [String: [Channel: Bool]]
        var alwaysByEmail: [String]

        init(_ preferences: Preferences) {
            language = preferences.language
            timeZone = preferences.timeZone
            phone = preferences.phone
            phoneVerified = preferences.verifiedPhone != nil
            quietHours = preferences.quietHours
            var channels: [String: [Channel: Bool]] = [:]
            for type in NotificationCatalog.entries.keys {
                channels[type.rawValue] = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, preferences.allows($0, for: type)) })
            }
            self.channels = channels
            alwaysByEmail = NotificationCatalog.entries.filter(\.value.isSecurity).map(\.key.rawValue).sorted()
        }
    }

    struct Body: Decodable {
        var language: String?
        var timeZone: String?
        var phone: String?
        var quietHours: QuietHours?
        var channels: [String: [String: Bool]]?
    }

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/notifications/preferences", use: show)
        router.put("api/v1/notifications/preferences", use: replace)
        router.post("api/v1/notifications/preferences/phone/verify", use: verifyPhone)
        router.post("api/v1/notifications/preferences/phone/code", use: resendCode)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> View {
        View(try await notify.preferences.find(try context.requireIdentity().userID))
    }

    @Sendable func replace(_ request: Request, context: ServiceRequestContext) async throws -> View {
        let user = try context.requireIdentity().userID
        let body = try await request.decode(as: Body.self, context: context)
        var validator = Validator()
        var preferences = Preferences()
        if let language = body.language {
            validator.check(Preferences.languages.contains(language), "language", "must be one of \(Preferences.languages.sorted().joined(separator: ", "))")
            preferences.language = language
        }
        if let timeZone = body.timeZone {
            validator.rule(TimeZone(identifier: timeZone) != nil, "timeZone", "must be an IANA time zone such as America/Merida")
            preferences.timeZone = timeZone
        }
        if let phone = body.phone {
            validator.check(phone.wholeMatch(of: /\+[1-9][0-9]{6,14}/) != nil, "phone", "must be an E.164 number such as +529991234567")
            preferences.phone = phone
        }
        if let quiet = body.quietHours {
            validator.check(QuietHours.minutes(quiet.start) != nil, "quietHours.start", "must be a time HH:MM")
            validator.check(QuietHours.minutes(quiet.end) != nil, "quietHours.end", "must be a time HH:MM")
            preferences.quietHours = quiet
        }
        for (type, channels) in body.channels ?? [:] {
            guard let entry = NotificationCatalog.entries[NotificationType(rawValue: type)] else {
                validator.check(false, "channels.\(type)", "is not a notification type")
                continue
            }
            for (name, on) in channels {
                guard let channel = Channel(rawValue: name) else {
                    validator.check(false, "channels.\(type).\(name)", "must be one of email, sms, push, in_app")
                    continue
                }
                validator.rule(!(entry.isSecurity && channel == .email && !on), "channels.\(type).email", "is security mail and cannot be turned off")
                preferences.channels[type, default: [:]][channel] = on
            }
        }
        try validator.validate()
        let stored = try await notify.preferences.find(user)
        let now = notify.clock.now()
        if preferences.phone == stored.phone {
            preferences.phoneVerified = stored.phoneVerified
            preferences.phoneCode = stored.phoneCode
        } else if let phone = preferences.phone {
            preferences.phoneCode = try await sendCode(to: phone, at: now)
        }
        try await notify.preferences.save(preferences, of: user, at: now)
        return View(preferences)
    }

    @Sendable func verifyPhone(_ request: Request, context: ServiceRequestContext) async throws -> View {
        let user = try context.requireIdentity().userID
        let body = try await request.decode(as: Code.self, context: context)
        var preferences = try await notify.preferences.find(user)
        guard let pending = preferences.phoneCode, pending.phone == preferences.phone else {
            throw Problem(.conflict, detail: "There is no phone waiting to be confirmed.", code: "nothing_to_verify")
        }
        switch pending.check(body.code, at: notify.clock.now()) {
        case .verified:
            preferences.phoneVerified = true
            preferences.phoneCode = nil
        case .wrong(let next):
            preferences.phoneCode = next
            try await notify.preferences.save(preferences, of: user, at: notify.clock.now())
            throw Problem.refused("code", "is not the code sent to \(pending.phone)")
        case .expired:
            throw Problem(.unprocessableContent, detail: "The code expired or was tried too often: ask for a new one.", code: "code_expired",
                          errors: [FieldError(field: "code", message: "has expired")])
        }
        try await notify.preferences.save(preferences, of: user, at: notify.clock.now())
        return View(preferences)
    }

    @Sendable func resendCode(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireIdentity().userID
        var preferences = try await notify.preferences.find(user)
        let now = notify.clock.now()
        guard let phone = preferences.phone, preferences.verifiedPhone == nil else {
            throw Problem(.conflict, detail: "There is no phone waiting to be confirmed.", code: "nothing_to_verify")
        }
        if let pending = preferences.phoneCode, !pending.mayResend(at: now) {
            throw Problem(.tooManyRequests, detail: "A code was sent less than a minute ago.", code: "code_sent_recently", headers: [.retryAfter: "60"])
        }
        preferences.phoneCode = try await sendCode(to: phone, at: now)
        try await notify.preferences.save(preferences, of: user, at: now)
        return Response(status: .accepted)
    }

    /// Texts a new code to `phone`; what is kept of it.
    private func sendCode(to phone: String, at now: Date) async throws -> PhoneCode {
        guard let sms = notify.senders[.sms] else { throw Problem(.serviceUnavailable, detail: "SMS is not set up.") }
        let (code, kept) = PhoneCode.issue(for: phone, at: now)
        let text = "MayaGo: your code is \(code). It confirms this number for your account's texts; it expires in 10 minutes."
        do {
            _ = try await sms.send(RenderedMessage(subject: "MayaGo code", text: text, html: "", short: text), to: phone, key: UUID().uuidString.lowercased())
        } catch {
            notify.logger.warning("Cannot text a phone code", metadata: ["error": "\(error)"])
            throw Problem(.serviceUnavailable, detail: "The code could not be sent now: try again in a moment.")
        }
        return kept
    }
}
