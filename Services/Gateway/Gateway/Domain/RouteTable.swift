import Contracts

/// Which service owns which public path. The gateway forwards nothing else: `/internal/...` and unknown paths
/// end here as 404.
public struct RouteTable: Sendable {
    public struct Entry: Sendable, Hashable {
        /// A path prefix, matched on whole segments (`/api/v1/bookings` matches `/api/v1/bookings/42`, not
        /// `/api/v1/bookingsx`).
        public let prefix: String
        public let service: ServiceName
    }

    public let entries: [Entry]

    public init(entries: [Entry]) {
        // Longest prefix first, so that a more specific entry wins.
        self.entries = entries.sorted { $0.prefix.count > $1.prefix.count }
    }

    /// The public API of ARCHITECTURE.md, by owner.
    public static let mayaGo = RouteTable(
        entries: [
            .init(prefix: "/api/v1/auth", service: .auth),
            .init(prefix: "/.well-known/jwks.json", service: .auth),
            .init(prefix: "/api/v1/experiences", service: .booking),
            .init(prefix: "/api/v1/bookings", service: .booking),
            .init(prefix: "/api/v1/reviews", service: .booking),
            .init(prefix: "/api/v1/providers", service: .booking),
            .init(prefix: "/api/v1/payments", service: .payment),
            .init(prefix: "/api/v1/payouts", service: .payment),
            .init(prefix: "/api/v1/invoices", service: .payment),
            .init(prefix: "/api/v1/webhooks/stripe", service: .payment),
            .init(prefix: "/api/v1/search", service: .search),
            .init(prefix: "/api/v1/recommendations", service: .search),
            .init(prefix: "/api/v1/conversations", service: .messaging),
            .init(prefix: "/api/v1/attachments", service: .messaging),
            .init(prefix: "/api/v1/messaging", service: .messaging),
            .init(prefix: "/api/v1/notifications", service: .notify),
            .init(prefix: "/api/v1/dev/mailbox", service: .notify),
        ]
    )

    /// The service that owns `path`, if any. Paths with dot segments or encoded slashes are never routed, so
    /// that nothing reaches a path the table does not name.
    public func service(for path: String) -> ServiceName? {
        route(for: path)?.service
    }

    /// The matching prefix and its owner.
    func route(for path: String) -> (prefix: String, service: ServiceName)? {
        guard Self.isPlain(path) else { return nil }
        return entries.first { entry in
            path == entry.prefix || path.hasPrefix(entry.prefix + "/")
        }.map { ($0.prefix, $0.service) }
    }

    static func isPlain(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        let lowered = path.lowercased()
        if lowered.contains("%2f") || lowered.contains("%5c") || lowered.contains("%2e") || path.contains("\\") { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
    }
}
