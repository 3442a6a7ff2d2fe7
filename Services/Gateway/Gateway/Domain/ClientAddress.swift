import Foundation
import ServiceKit

/// The client's address: the socket's peer, or, when that peer is a trusted proxy, the nearest address in
/// `X-Forwarded-For` that is not one of ours (a client can prepend anything to that header, so only what
/// trusted hops appended counts).
struct ClientAddress: Sendable {
    let trustedProxies: [IPRange]

    func resolve(peer: String?, forwardedFor: String?) -> String {
        guard let peer else { return "unknown" }
        guard isTrusted(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { String($0.trimmingOptionalWhitespace) }
        for hop in hops.reversed() where !isTrusted(hop) {
            return IPRange.bytes(of: hop) == nil ? peer : hop
        }
        return hops.first ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

/// An IPv4 or IPv6 address or CIDR block (`10.0.0.0/8`, `::1`).
struct IPRange: Sendable, Hashable {
    let network: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let network = Self.bytes(of: parts[0]) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : network.count * 8
        guard let length, (0...network.count * 8).contains(length) else { return nil }
        self.network = network
        prefixLength = length
    }

    func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        var bits = prefixLength
        for (byte, networkByte) in zip(bytes, network) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if byte & mask != networkByte & mask { return false }
            bits -= 8
        }
        return true
    }

    static func bytes(of address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
