import Contracts
import Foundation
import HTTPTypes
import Logging
import ServiceKit

/// The user's notification preferences, and the phone they confirm by a texted code.
extension NotifyService {
    func preferences(of user: UUID) async throws -> Preferences {
        try await preferences.find(user)
    }

    /// Replaces the user's preferences; a new phone number is texted a code and waits to be confirmed, the same
    /// one keeps its state.
    func replacePreferences(of user: UUID, with new: Preferences) async throws -> Preferences {
        var preferences = new
        let stored = try await self.preferences.find(user)
        let now = clock.now()
        if preferences.phone == stored.phone {
            preferences.phoneVerified = stored.phoneVerified
            preferences.phoneCode = stored.phoneCode
        } else if let phone = preferences.phone {
            preferences.phoneCode = try await sendCode(to: phone, at: now)
        }
        try await self.preferences.save(preferences, of: user, at: now)
        return preferences
    }

    /// Confirms the waiting phone with the code texted to it; a wrong code counts against the code's tries.
    func verifyPhone(of user: UUID, code: String) async throws -> Preferences {
        var preferences = try await self.preferences.find(user)
        guard let pending = preferences.phoneCode, pending.phone == preferences.phone else {
            throw Problem(.conflict, detail: "There is no phone waiting to be confirmed.", code: "nothing_to_verify")
        }
        switch pending.check(code, at: clock.now()) {
        case .verified:
            preferences.phoneVerified = true
            preferences.phoneCode = nil
        case .wrong(let next):
            preferences.phoneCode = next
            try await self.preferences.save(preferences, of: user, at: clock.now())
            throw Problem.refused("code", "is not the code sent to \(pending.phone)")
        case .expired:
            throw Problem(
                .unprocessableContent, detail: "The code expired or was tried too often: ask for a new one.", code: "code_expired",
                errors: [FieldError(field: "code", message: "has expired")])
        }
        try await self.preferences.save(preferences, of: user, at: clock.now())
        return preferences
    }

    /// Texts the waiting phone a new code, at most once a minute.
    func resendPhoneCode(of user: UUID) async throws {
        var preferences = try await self.preferences.find(user)
        let now = clock.now()
        guard let phone = preferences.phone, preferences.verifiedPhone == nil else {
            throw Problem(.conflict, detail: "There is no phone waiting to be confirmed.", code: "nothing_to_verify")
        }
        if let pending = preferences.phoneCode, !pending.mayResend(at: now) {
            throw Problem(.tooManyRequests, detail: "A code was sent less than a minute ago.", code: "code_sent_recently", headers: [.retryAfter: "60"])
        }
        preferences.phoneCode = try await sendCode(to: phone, at: now)
        try await self.preferences.save(preferences, of: user, at: now)
    }

    /// Texts a new code to `phone`; what is kept of it.
    private func sendCode(to phone: String, at now: Date) async throws -> PhoneCode {
        guard let sms = senders[.sms] else { throw Problem(.serviceUnavailable, detail: "SMS is not set up.") }
        let (code, kept) = PhoneCode.issue(for: phone, at: now)
        let text = "MayaGo: your code is \(code). It confirms this number for your account's texts; it expires in 10 minutes."
        do {
            let message = RenderedMessage(subject: "MayaGo code", text: text, html: "", short: text)
            _ = try await sms.send(message, to: phone, key: UUID.random().lowercasedString)
        } catch {
            logger.warning("Cannot text a phone code", metadata: ["error": "\(error)"])
            throw Problem(.serviceUnavailable, detail: "The code could not be sent now: try again in a moment.")
        }
        return kept
    }
}
