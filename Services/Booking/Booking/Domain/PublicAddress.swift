import Foundation

/// Whether an IP address is on the public internet, where a server may be sent to fetch something on a user's
/// word (an imported calendar), rather than in its own neighbourhood: loopback, private networks, link-local,
/// carrier-grade NAT, unique-local IPv6, multicast, reserved ranges, and IPv6 forms that carry one of those
/// (IPv4-mapped and -compatible, NAT64, 6to4) are not.
enum PublicAddress {
    /// The bytes of `host` if it is an IP literal in any form the C library would connect to: `127.1`,
    /// `0x7f.0.0.1`, `2130706433` (inet_aton reads them all as 127.0.0.1), `::ffff:127.0.0.1`, with or without brackets.
    static func literal(_ host: String) -> [UInt8]? {
        let host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        if inet_aton(host, &v4) != 0 {
            return withUnsafeBytes(of: v4.s_addr) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: v6) { Array($0) }
        }
        return nil
    }

    /// Whether the 4 (IPv4) or 16 (IPv6) bytes of an address are public.
    static func isPublic(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4: return isPublicIPv4(bytes)
        case 16: return isPublicIPv6(bytes)
        default: return false
        }
    }

    private static func isPublicIPv4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1], a[2]) {
        case (0, _, _), (10, _, _), (127, _, _): false  // this network, private, loopback
        case (100, 64...127, _): false  // carrier-grade NAT
        case (169, 254, _): false  // link-local (cloud metadata lives here)
        case (172, 16...31, _), (192, 168, _): false  // private
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113): false  // protocol assignments, documentation
        case (198, 18...19, _): false  // benchmarking
        case (224..., _, _): false  // multicast, reserved, broadcast
        default: true
        }
    }

    private static func isPublicIPv6(_ a: [UInt8]) -> Bool {
        let head = a.prefix(12)
        if head.allSatisfy({ $0 == 0 }) { return false }  // ::, ::1 and IPv4-compatible
        if head.prefix(10).allSatisfy({ $0 == 0 }) && a[10] == 0xff && a[11] == 0xff { return false }  // IPv4-mapped
        if a[0] == 0x00, a[1] == 0x64, a[2] == 0xff, a[3] == 0x9b { return isPublicIPv4(Array(a[12...])) }  // NAT64
        if a[0] == 0x20, a[1] == 0x02 { return isPublicIPv4(Array(a[2..<6])) }  // 6to4
        if a[0] & 0xfe == 0xfc { return false }  // unique local
        if a[0] == 0xfe, a[1] & 0xc0 == 0x80 { return false }  // link-local
        if a[0] == 0xfe, a[1] & 0xc0 == 0xc0 { return false }  // site-local (deprecated)
        if a[0] == 0xff { return false }  // multicast
        if a[0] == 0x20, a[1] == 0x01, a[2] == 0x0d, a[3] == 0xb8 { return false }  // documentation
        return true
    }

    /// The bytes of a socket address (IPv4 or IPv6), `nil` for any other family.
    static func bytes(of address: UnsafePointer<sockaddr>) -> [UInt8]? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in withUnsafeBytes(of: v4.pointee.sin_addr) { Array($0) } }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in withUnsafeBytes(of: v6.pointee.sin6_addr) { Array($0) } }
        default:
            return nil
        }
    }
}
