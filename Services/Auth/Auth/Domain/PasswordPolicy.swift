import Foundation
import ServiceKit

/// What makes a password acceptable (OWASP ASVS 2.1): long enough, not absurdly long (bcrypt reads 72 bytes),
/// and not one that attackers try first.
struct PasswordPolicy: Sendable {
    static let minimumLength = 10
    static let maximumLength = 128

    let commonPasswords: Set<String>

    /// The list shipped with the service (`Resources/common-passwords.txt`, one per line).
    static let standard = PasswordPolicy(commonPasswords: loadCommonPasswords())

    /// Why `password` is refused, or `nil` if it is fine. `email` and `name` are the account's: a password that
    /// is one of them is refused too. Lengths count code points, as the published document's do.
    func problem(with password: String, email: String? = nil, name: String? = nil) -> FieldProblem? {
        let length = password.unicodeScalars.count
        if length < Self.minimumLength { return .malformed("must be at least \(Self.minimumLength) characters") }
        if length > Self.maximumLength { return .malformed("must be at most \(Self.maximumLength) characters") }
        if password.utf8.count > 72 { return .refused("must be at most 72 bytes") }
        let lowered = password.lowercased()
        if commonPasswords.contains(lowered) { return .refused("is too common; choose another") }
        if Set(lowered).count < 4 { return .refused("is too repetitive; choose another") }
        if let email, lowered == email.lowercased() || lowered == email.lowercased().split(separator: "@").first.map(String.init) {
            return .refused("must not be your email address")
        }
        if let name, lowered == name.lowercased() { return .refused("must not be your name") }
        return nil
    }

    private static func loadCommonPasswords() -> Set<String> {
        let text = Bundle.module.resourceText("common-passwords", "txt")
        return Set(text.split(whereSeparator: \.isNewline).map { $0.lowercased() })
    }
}
