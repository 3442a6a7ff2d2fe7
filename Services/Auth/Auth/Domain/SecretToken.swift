import Contracts
import Crypto
import Foundation

/// High-entropy secrets handed to clients (refresh tokens, mail links, API keys, recovery codes): made from 32
/// random bytes, stored only as their SHA-256. Their entropy makes a slow hash unnecessary.
enum SecretToken {
    /// 256 random bits, base64url without padding.
    static func make(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded
    }

    /// The PKCE challenge of `verifier` (RFC 7636, method S256).
    static func pkceChallenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded
    }

    /// The stored form: SHA-256 in lower-case hex.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    /// A recovery code a person can type: ten characters of an unambiguous alphabet in two groups (50 bits).
    static func recoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<10).map { _ in alphabet.randomElement(using: &generator)! }
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }

    /// Compares in time that does not depend on where the strings differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
