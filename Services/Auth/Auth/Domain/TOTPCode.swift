import Foundation
import HummingbirdOTP

/// RFC 6238 codes (six digits, 30-second steps, SHA-1, as authenticator apps expect) through Hummingbird's OTP.
enum TOTPCode {
    static let step: TimeInterval = 30

    /// A new secret: 20 random characters from the base32 alphabet (the HMAC key is their UTF-8 bytes).
    static func makeSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// The `otpauth://` URI an authenticator app scans.
    static func uri(secret: String, account: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "MayaGo:\(account)", issuer: "MayaGo")
    }

    /// The time step `code` belongs to if it is valid at `now`, allowing one step of clock drift either way.
    static func matchingStep(_ code: String, secret: String, at now: Date) -> Int64? {
        let code = code.filter { !$0.isWhitespace }
        guard code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let totp = TOTP(secret: secret)
        let current = Int64(now.timeIntervalSince1970 / step)
        for candidate in [current, current - 1, current + 1] {
            let date = Date(timeIntervalSince1970: TimeInterval(candidate) * step)
            if SecretToken.constantTimeEquals(String(format: "%06d", totp.compute(date: date)), code) { return candidate }
        }
        return nil
    }
}
