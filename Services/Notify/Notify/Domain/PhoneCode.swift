import Contracts
import Crypto
import Foundation

/// The code that proves a phone number is the user's before any SMS goes to it: six digits sent by SMS, kept
/// hashed, good for ten minutes and five tries.
struct PhoneCode: Codable, Sendable, Equatable {
    static let lifetime: TimeInterval = 600
    static let maximumAttempts = 5
    /// How soon another code may be asked for.
    static let resendAfter: TimeInterval = 60

    var phone: String
    var hash: String
    var issuedAt: Date
    var attempts = 0

    enum Check: Equatable {
        case verified
        case wrong(PhoneCode)
        case expired
    }

    /// A new code for `phone` and what is kept of it.
    static func issue(for phone: String, at now: Date) -> (code: String, kept: PhoneCode) {
        let code = String(format: "%06d", Int.random(in: 0...999_999))
        return (code, PhoneCode(phone: phone, hash: digest(code, phone: phone), issuedAt: now))
    }

    func check(_ code: String, at now: Date) -> Check {
        guard now.timeIntervalSince(issuedAt) < Self.lifetime, attempts < Self.maximumAttempts else { return .expired }
        if Self.digest(code.trimmingCharacters(in: .whitespaces), phone: phone) == hash { return .verified }
        var next = self
        next.attempts += 1
        return .wrong(next)
    }

    func mayResend(at now: Date) -> Bool {
        now.timeIntervalSince(issuedAt) >= Self.resendAfter
    }

    private static func digest(_ code: String, phone: String) -> String {
        SHA256.hash(data: Data("\(phone)\n\(code)".utf8)).hexString
    }
}
