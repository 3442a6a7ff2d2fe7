import Contracts
import Foundation
import Mustache

/// A notification rendered for every channel.
struct RenderedMessage: Codable, Sendable, Equatable {
    /// The email's subject, and the title of a push notice or an inbox entry.
    var subject: String
    /// The email's text part.
    var text: String
    /// The email's HTML part, in the layout.
    var html: String
    /// An SMS, and the body of a push notice or an inbox entry.
    var short: String
}

/// The templates of `Resources/templates`: `<type>.<language>.mustache`, each with a `=== subject ===`,
/// `=== text ===`, `=== html ===` and `=== short ===` part, and `layout.html.mustache` around every HTML part.
/// Only the HTML part escapes what it shows; the others are plain text.
struct Templates: Sendable {
    struct Parts: Sendable {
        var subject: MustacheTemplate
        var text: MustacheTemplate
        var html: MustacheTemplate
        var short: MustacheTemplate
    }

    struct Malformed: Error, CustomStringConvertible {
        var file: String
        var reason: String
        var description: String { "Template \(file): \(reason)" }
    }

    static let partNames = ["subject", "text", "html", "short"]

    /// By `type.language`.
    let parts: [String: Parts]
    let layout: MustacheTemplate

    static func load(from directory: URL) throws -> Templates {
        var parts: [String: Parts] = [:]
        var layout: MustacheTemplate?
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let name = String(file.dropLast(".mustache".count))
            if name == "layout.html" {
                layout = try MustacheTemplate(string: text)
            } else {
                parts[name] = try split(text, file: file)
            }
        }
        guard let layout else { throw Malformed(file: "layout.html.mustache", reason: "is missing") }
        return Templates(parts: parts, layout: layout)
    }

    /// `type` in `language` (English when there is no such translation), or `nil` for an unknown type.
    func render(_ type: NotificationType, language: String, view: [String: Any]) -> RenderedMessage? {
        guard let parts = parts["\(type.rawValue).\(language)"] ?? parts["\(type.rawValue).en"] else { return nil }
        let subject = parts.subject.render(view).trimmedOfWhiteSpace
        var page = view
        page["subject"] = subject
        page["content"] = parts.html.render(view)
        return RenderedMessage(
            subject: subject,
            text: parts.text.render(view).trimmedOfWhiteSpace + "\n",
            html: layout.render(page),
            short: parts.short.render(view).trimmedOfWhiteSpace
        )
    }

    private static func split(_ text: String, file: String) throws -> Parts {
        var sections: [String: String] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("=== "), line.hasSuffix(" ==="), line.count > 8 {
                current = String(line.dropFirst(4).dropLast(4))
                sections[current!] = ""
            } else if let current {
                sections[current]! += line + "\n"
            }
        }
        guard Set(sections.keys) == Set(partNames) else { throw Malformed(file: file, reason: "needs exactly the parts \(partNames)") }
        func template(_ name: String, plain: Bool) throws -> MustacheTemplate {
            do {
                return try MustacheTemplate(string: (plain ? "{{% CONTENT_TYPE: TEXT}}" : "") + sections[name]!)
            } catch {
                throw Malformed(file: file, reason: "\(name): \(error)")
            }
        }
        return Parts(
            subject: try template("subject", plain: true), text: try template("text", plain: true),
            html: try template("html", plain: false), short: try template("short", plain: true)
        )
    }
}

extension String {
    /// Without the white space at either end, as `trimmingCharacters(in: .whitespacesAndNewlines)` trims it (Unicode's
    /// White_Space, and U+200B, which Foundation's set keeps from older Unicode), in Swift: Foundation's goes through
    /// `NSString`, 2.5 % of Notify's CPU for three parts of every notice.
    var trimmedOfWhiteSpace: String {
        let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace || scalar == "\u{200B}" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
