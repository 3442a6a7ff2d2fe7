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

    /// The matching prefix and its owner. Asked for every request the gateway takes, so it reads the path's bytes
    /// once and allocates nothing.
    func route(for path: String) -> (prefix: String, service: ServiceName)? {
        guard Self.isPlain(path) else { return nil }
        for entry in entries where path.hasPrefix(entry.prefix) {
            let rest = path.utf8.dropFirst(entry.prefix.utf8.count)
            if rest.isEmpty || rest.first == UInt8(ascii: "/") { return (entry.prefix, entry.service) }
        }
        return nil
    }

    /// `path` as the gateway routes, rates, checks and forwards it: runs of `/` collapsed to one and a trailing `/`
    /// dropped, so that `//api/v1/auth/login/` is `/api/v1/auth/login` everywhere (a router upstream reads them
    /// alike, so the edge must too, or the spelling would choose the rate limit). A canonical path is returned as is.
    static func canonical(_ path: String) -> String {
        let bytes = path.utf8
        var previous: UInt8 = 0
        var isCanonical = true
        for byte in bytes {
            if byte == UInt8(ascii: "/"), previous == UInt8(ascii: "/") {
                isCanonical = false
                break
            }
            previous = byte
        }
        if isCanonical, !(bytes.count > 1 && bytes.last == UInt8(ascii: "/")) { return path }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for byte in bytes where !(byte == UInt8(ascii: "/") && result.last == UInt8(ascii: "/")) {
            result.append(byte)
        }
        if result.count > 1, result.last == UInt8(ascii: "/") { result.removeLast() }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `path` is absolute and has no `.` or `..` segment, no backslash, and no encoded slash, backslash or dot.
    static func isPlain(_ path: String) -> Bool {
        path.utf8.withContiguousStorageIfAvailable(isPlain) ?? isPlain(Array(path.utf8))
    }

    private static func isPlain<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Bool where Bytes.Index == Int {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        var segmentStart = bytes.startIndex
        for (index, byte) in zip(bytes.indices, bytes) {
            switch byte {
            case UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "%") where index + 2 < bytes.endIndex:
                let encoded = (bytes[index + 1], bytes[index + 2] | 0x20)  // the hex digit in lower case
                if encoded == (UInt8(ascii: "2"), UInt8(ascii: "f")) || encoded == (UInt8(ascii: "5"), UInt8(ascii: "c"))
                    || encoded == (UInt8(ascii: "2"), UInt8(ascii: "e"))
                {
                    return false
                }
            case UInt8(ascii: "/"):
                if isDotSegment(bytes[segmentStart..<index]) { return false }
                segmentStart = index + 1
            default:
                break
            }
        }
        return !isDotSegment(bytes[segmentStart...])
    }

    private static func isDotSegment(_ segment: some Collection<UInt8>) -> Bool {
        (segment.count == 1 || segment.count == 2) && segment.allSatisfy { $0 == UInt8(ascii: ".") }
    }
}
