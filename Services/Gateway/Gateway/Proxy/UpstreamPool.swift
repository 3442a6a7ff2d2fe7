import Atomics
import Contracts
import Foundation
import NIOConcurrencyHelpers

/// The instances of one service: the configured URLs, where a URL whose host is a name stands for every address
/// that name resolves to (docker-compose `--scale`), re-resolved by ``UpstreamMonitor``. Requests go round robin
/// over the instances that are available.
final class UpstreamPool: Sendable {
    let service: ServiceName
    let configured: [URL]
    private let instances: NIOLockedValueBox<[UpstreamInstance]>
    private let next = ManagedAtomic(0)

    init(service: ServiceName, urls: [URL]) {
        self.service = service
        configured = urls
        instances = NIOLockedValueBox(urls.map { UpstreamInstance(baseURL: $0, service: service) })
    }

    var all: [UpstreamInstance] {
        instances.withLockedValue { $0 }
    }

    /// The next available instance not in `excluding`. When none is available (all failed their last check,
    /// for example because the gateway started before them), any is tried rather than none, as Envoy does below
    /// its panic threshold: a wrong health verdict then costs a refused connection, not an outage.
    func pick(excluding: Set<String> = []) -> UpstreamInstance? {
        let all = all
        let turn = Int(UInt(bitPattern: next.loadThenWrappingIncrement(ordering: .relaxed)) % UInt(max(all.count, 1)))
        // Counted, then taken, without making lists: this runs for every request.
        func candidate(availableOnly: Bool) -> UpstreamInstance? {
            let isCandidate = { (instance: UpstreamInstance) in
                !excluding.contains(instance.name) && (!availableOnly || instance.isAvailable)
            }
            let count = all.reduce(0) { $0 + (isCandidate($1) ? 1 : 0) }
            guard count > 0 else { return nil }
            var skip = turn % count
            for instance in all where isCandidate(instance) {
                if skip == 0 { return instance }
                skip -= 1
            }
            return nil
        }
        return candidate(availableOnly: true) ?? candidate(availableOnly: false)
    }

    /// Re-reads the configured URLs' addresses, keeping what is known of the instances that remain.
    func resolve() {
        let resolved = configured.flatMap(Self.expand)
        instances.withLockedValue { current in
            let known = Dictionary(current.map { ($0.baseURL, $0) }) { first, _ in first }
            let updated = resolved.map { url in known[UpstreamInstance.base(of: url)] ?? UpstreamInstance(baseURL: url, service: service) }
            if updated.map(\.baseURL) != current.map(\.baseURL) { current = updated }
        }
    }

    /// A URL with a host name becomes one URL per IPv4 address of that name (or IPv6, if it has none);
    /// an address literal, or a name that does not resolve right now, stays as it is.
    static func expand(_ url: URL) -> [URL] {
        guard let host = url.host, IPRange.bytes(of: host) == nil else { return [url] }
        let addresses = resolve(host, family: AF_INET) + resolve(host, family: AF_INET6)
        guard !addresses.isEmpty else { return [url] }
        let family = IPRange.bytes(of: addresses[0])?.count == 4 ? 4 : 16
        return addresses.filter { IPRange.bytes(of: $0)?.count == family }.compactMap { address in
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            components?.host = family == 16 ? "[\(address)]" : address
            return components?.url
        }
    }

    private static func resolve(_ host: String, family: Int32) -> [String] {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0
            else { continue }
            let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses
    }
}
