import Contracts
import Foundation

/// How a user wants to hear from MayaGo: per notification type and channel (on top of the catalog's defaults),
/// their language, their time zone, a phone number for SMS, and quiet hours during which SMS and push wait.
struct Preferences: Codable, Sendable, Equatable {
    static let languages: Set<String> = ["en", "es"]

    var language = "en"
    var timeZone = "UTC"
    /// E.164 (`+529991234567`); SMS needs one, confirmed by a code sent to it (`phoneVerified`).
    var phone: String?
    var phoneVerified: Bool?
    /// The code sent to confirm `phone`, while it is not confirmed.
    var phoneCode: PhoneCode?
    var quietHours: QuietHours?
    /// What the user changed: type → channel → on. Types and channels they never touched follow the catalog.
    var channels: [String: [Channel: Bool]] = [:]

    /// The number SMS may go to: the phone, once the user confirmed it is theirs.
    var verifiedPhone: String? {
        phoneVerified == true ? phone : nil
    }

    /// Whether `type` goes out on `channel` for this user. Security mail always goes by email.
    func allows(_ channel: Channel, for type: NotificationType) -> Bool {
        if NotificationCatalog.entries[type]?.isSecurity == true, channel == .email { return true }
        return channels[type.rawValue]?[channel] ?? NotificationCatalog.defaultChannels(of: type).contains(channel)
    }

    /// When a notice of `type` on `channel` due at `date` may go: at once, or at the end of the quiet hours for
    /// SMS and push (email and the in-app inbox make no sound; security mail never waits).
    func sendTime(of channel: Channel, for type: NotificationType, at date: Date) -> Date {
        guard let quietHours, channel == .sms || channel == .push, NotificationCatalog.entries[type]?.isSecurity != true,
            let zone = TimeZone(identifier: timeZone)
        else { return date }
        return quietHours.end(after: date, in: zone) ?? date
    }
}

/// From `start` to `end` in the user's local time, across midnight when `end` comes first (`22:00`–`07:00`).
struct QuietHours: Codable, Sendable, Equatable {
    var start: String
    var end: String

    /// Minutes after midnight of `HH:MM`, if it is one.
    static func minutes(_ text: String) -> Int? {
        guard let match = text.wholeMatch(of: /([01][0-9]|2[0-3]):([0-5][0-9])/) else { return nil }
        return Int(match.1)! * 60 + Int(match.2)!
    }

    /// The end of the quiet hours `date` falls in, or `nil` when it falls outside them.
    func end(after date: Date, in zone: TimeZone) -> Date? {
        guard let from = Self.minutes(start), let to = Self.minutes(end), from != to else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let local = calendar.dateComponents([.hour, .minute], from: date)
        let now = (local.hour ?? 0) * 60 + (local.minute ?? 0)
        let isQuiet = from < to ? (from <= now && now < to) : (now >= from || now < to)
        guard isQuiet else { return nil }
        return calendar.nextDate(after: date, matching: DateComponents(hour: to / 60, minute: to % 60), matchingPolicy: .nextTime)
    }
}
