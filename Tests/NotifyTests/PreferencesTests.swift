import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Notify

@Suite struct PreferencesTests {
    static func date(_ text: String) -> Date { ISO8601Format.parse(text)! }

    @Test func theDefaultsAreEmailPushAndInAppAndSecurityMailIsAlwaysEmail() {
        var preferences = Preferences()
        #expect(preferences.allows(.email, for: .bookingConfirmed))
        #expect(preferences.allows(.inApp, for: .bookingConfirmed))
        #expect(!preferences.allows(.sms, for: .bookingConfirmed))
        #expect(!preferences.allows(.push, for: .passwordReset))
        preferences.channels = [
            NotificationType.passwordReset.rawValue: [.email: false], NotificationType.bookingConfirmed.rawValue: [.email: false, .sms: true],
        ]
        #expect(preferences.allows(.email, for: .passwordReset))
        #expect(!preferences.allows(.email, for: .bookingConfirmed))
        #expect(preferences.allows(.sms, for: .bookingConfirmed))
    }

    @Test func quietHoursHoldSMSAndPushUntilTheyEndInTheUsersTimeZone() {
        var preferences = Preferences()
        preferences.timeZone = "America/Mexico_City"  // UTC-6 all year since 2022
        preferences.quietHours = QuietHours(start: "22:00", end: "07:00")
        // 23:30 local: SMS waits for 07:00 local (13:00 UTC); email and the inbox do not wait.
        let late = Self.date("2026-11-24T05:30:00Z")
        #expect(preferences.sendTime(of: .sms, for: .bookingConfirmed, at: late) == Self.date("2026-11-24T13:00:00Z"))
        #expect(preferences.sendTime(of: .push, for: .bookingConfirmed, at: late) == Self.date("2026-11-24T13:00:00Z"))
        #expect(preferences.sendTime(of: .email, for: .bookingConfirmed, at: late) == late)
        #expect(preferences.sendTime(of: .inApp, for: .bookingConfirmed, at: late) == late)
        // 06:59 local is still quiet; 07:00 and noon are not.
        #expect(preferences.sendTime(of: .sms, for: .bookingConfirmed, at: Self.date("2026-11-24T12:59:00Z")) == Self.date("2026-11-24T13:00:00Z"))
        #expect(preferences.sendTime(of: .sms, for: .bookingConfirmed, at: Self.date("2026-11-24T13:00:00Z")) == Self.date("2026-11-24T13:00:00Z"))
        #expect(preferences.sendTime(of: .sms, for: .bookingConfirmed, at: Self.date("2026-11-24T18:00:00Z")) == Self.date("2026-11-24T18:00:00Z"))
    }

    @Test func quietHoursFollowDaylightSavingTime() {
        var preferences = Preferences()
        preferences.timeZone = "America/New_York"
        preferences.quietHours = QuietHours(start: "21:00", end: "08:00")
        // The night the clocks go back (1 November 2026): 08:00 EST is 13:00 UTC, not 12:00.
        #expect(preferences.sendTime(of: .push, for: .bookingReminder, at: Self.date("2026-11-01T03:00:00Z")) == Self.date("2026-11-01T13:00:00Z"))
        // A day-time window (13:00–15:00) is quiet inside it only.
        preferences.quietHours = QuietHours(start: "13:00", end: "15:00")
        #expect(preferences.sendTime(of: .push, for: .bookingReminder, at: Self.date("2026-07-01T18:00:00Z")) == Self.date("2026-07-01T19:00:00Z"))
        #expect(preferences.sendTime(of: .push, for: .bookingReminder, at: Self.date("2026-07-01T20:00:00Z")) == Self.date("2026-07-01T20:00:00Z"))
    }

    @Test func securityMailNeverWaits() {
        var preferences = Preferences()
        preferences.quietHours = QuietHours(start: "00:00", end: "23:59")
        let now = Self.date("2026-11-24T05:30:00Z")
        #expect(preferences.sendTime(of: .push, for: .passwordReset, at: now) == now)
    }

    @Test func quietHoursReadOnlyHHMM() {
        #expect(QuietHours.minutes("07:30") == 450)
        for bad in ["7:30", "24:00", "07:60", "0730", "ab:cd", ""] { #expect(QuietHours.minutes(bad) == nil, "\(bad)") }
    }
}

@Suite struct PhoneVerificationTests {
    /// Texts go only to a number its user confirmed with the code sent to it: someone who types another person's
    /// number gets nothing sent there but the one code.
    @Test func smsWaitsForTheCodeThatConfirmsThePhone() async throws {
        try await NotifyHarness.run { notify in
            let ana = try await notify.user()
            let phone = "+5299912\(Int.random(in: 10_000...99_999))"
            let saved = try await notify.send(
                .put, "/api/v1/notifications/preferences", ["phone": phone, "channels": ["booking.reminder": ["sms": true]]], as: ana)
            #expect(try saved.decode(PreferenceRoutes.View.self).phoneVerified == false)
            try await notify.notify(.bookingReminder, to: ana.id, data: NotificationCatalog.entries[.bookingReminder]!.sample)
            #expect(try await eventually { try await notify.jobs(of: ana.id)["sms"] == "skipped" })
            #expect(
                try await notify.count(
                    "SELECT count(*)::int FROM deliveries d JOIN jobs j ON j.id = d.job_id WHERE j.recipient_id = '\(ana.id)' AND j.channel = 'sms'") == 0)

            let code = try #require(await notify.textedCode(to: phone))
            let wrong = try await notify.send(
                .post, "/api/v1/notifications/preferences/phone/verify", ["code": code == "000000" ? "111111" : "000000"], as: ana)
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.problem?.errors?.first?.field == "code")
            // Another user cannot confirm it for her.
            let eve = try await notify.user(name: "Eve")
            #expect(try await notify.send(.post, "/api/v1/notifications/preferences/phone/verify", ["code": code], as: eve).status == .conflict)
            #expect(try await notify.send(.post, "/api/v1/notifications/preferences/phone/code", as: ana).status == .tooManyRequests)

            let verified = try await notify.send(.post, "/api/v1/notifications/preferences/phone/verify", ["code": code], as: ana)
            #expect(try verified.decode(PreferenceRoutes.View.self).phoneVerified == true)
            try await notify.notify(.bookingReminder, to: ana.id, data: NotificationCatalog.entries[.bookingReminder]!.sample, key: "second")
            #expect(
                try await eventually {
                    try await notify.count("SELECT count(*)::int FROM jobs WHERE recipient_id = '\(ana.id)' AND channel = 'sms' AND status = 'sent'") == 1
                })
            // Changing the number asks for a new confirmation.
            let changed = try await notify.send(.put, "/api/v1/notifications/preferences", ["phone": "+529990000001"], as: ana)
            #expect(try changed.decode(PreferenceRoutes.View.self).phoneVerified == false)
        }
    }

    @Test func aCodeExpiresAndAllowsFiveTries() {
        let now = Date()
        let (code, kept) = PhoneCode.issue(for: "+529991234567", at: now)
        #expect(kept.check(code, at: now.addingTimeInterval(599)) == .verified)
        #expect(kept.check(code, at: now.addingTimeInterval(601)) == .expired)
        var current = kept
        for _ in 0..<5 {
            guard case .wrong(let next) = current.check(code == "123456" ? "654321" : "123456", at: now) else {
                Issue.record("not refused")
                return
            }
            current = next
        }
        #expect(current.check(code, at: now) == .expired)
    }
}
