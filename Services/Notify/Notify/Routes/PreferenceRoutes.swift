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
        View(try await notify.preferences(of: try context.requireIdentity().userID))
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
        return View(try await notify.replacePreferences(of: user, with: preferences))
    }

    @Sendable func verifyPhone(_ request: Request, context: ServiceRequestContext) async throws -> View {
        let user = try context.requireIdentity().userID
        let body = try await request.decode(as: Code.self, context: context)
        return View(try await notify.verifyPhone(of: user, code: body.code))
    }

    @Sendable func resendCode(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await notify.resendPhoneCode(of: try context.requireIdentity().userID)
        return Response(status: .accepted)
    }
}
