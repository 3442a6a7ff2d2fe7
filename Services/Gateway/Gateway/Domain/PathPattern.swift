/// A path with wildcards: `*` stands for one segment, a final `**` for any rest (including none).
struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    let segments: [Substring]

    init(_ pattern: String) {
        segments = pattern.split(separator: "/")
    }

    func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        var index = 0
        for segment in segments {
            if segment == "**" { return true }
            guard index < parts.count, segment == "*" || segment == parts[index] else { return false }
            index += 1
        }
        return index == parts.count
    }

    /// Whether the pattern names one route's path (any `*` is one of its parameters), not a tree of them.
    var isOneRoute: Bool { !segments.contains("**") }

    var description: String { "/" + segments.joined(separator: "/") }
}
