import Foundation

/// An email address as Auth keeps it: trimmed and lower-cased, so that one mailbox is one account.
struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    let value: String

    /// `nil` unless `text` looks like one address (`local@domain.tld`, at most 254 characters, no spaces).
    init?(_ text: String) {
        let normalised = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = normalised.split(separator: "@", omittingEmptySubsequences: false)
        guard normalised.utf8.count <= 254, parts.count == 2,
            let local = parts.first, let domain = parts.last,
            !local.isEmpty, local.utf8.count <= 64,
            domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
            !normalised.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" || $0 == "," })
        else { return nil }
        value = normalised
    }

    var description: String { value }
}
