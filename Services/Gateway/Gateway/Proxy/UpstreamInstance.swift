import Contracts
import Foundation
import NIOCore
import ServiceKit
import Synchronization

/// One instance of an upstream service and what the gateway knows of its health: the last active health check,
/// and passive ejection after consecutive failed requests, for a cool-down. Kept in atomics: both event loops read
/// it for every request, and on the usual path (healthy, no failures to forget) nothing is written.
final class UpstreamInstance: Sendable {
    let baseURL: String
    /// `host:port`, for logs and metrics.
    let name: String
    /// `service@host:port`, as the access log names where a request went.
    let label: String
    let host: String
    let port: Int
    private let checkedHealthy = Atomic(true)
    private let consecutiveFailures = Atomic(0)
    /// The `NIODeadline.uptimeNanoseconds` until which the instance is ejected; 0 when it is not.
    private let ejectedUntil = Atomic<UInt64>(0)

    init(baseURL: URL, service: ServiceName) {
        self.baseURL = Self.base(of: baseURL)
        host = baseURL.host ?? "localhost"
        port = baseURL.port ?? 80
        name = "\(host):\(port)"
        label = "\(service.rawValue)@\(name)"
    }

    /// `url` as instances are known by: without a trailing slash.
    static func base(of url: URL) -> String {
        url.absoluteString.hasSuffix("/") ? String(url.absoluteString.dropLast()) : url.absoluteString
    }

    var isAvailable: Bool {
        guard checkedHealthy.load(ordering: .relaxed) else { return false }
        let until = ejectedUntil.load(ordering: .relaxed)
        return until == 0 || NIODeadline.now().uptimeNanoseconds >= until
    }

    var isHealthy: Bool {
        checkedHealthy.load(ordering: .relaxed)
    }

    func recordSuccess() {
        if consecutiveFailures.load(ordering: .relaxed) != 0 { consecutiveFailures.store(0, ordering: .relaxed) }
        if ejectedUntil.load(ordering: .relaxed) != 0 { ejectedUntil.store(0, ordering: .relaxed) }
    }

    /// Counts a failed request; returns `true` when this one ejected the instance.
    func recordFailure(ejectAfter threshold: Int, coolDown: Duration) -> Bool {
        guard consecutiveFailures.add(1, ordering: .relaxed).newValue >= threshold else { return false }
        let now = NIODeadline.now().uptimeNanoseconds
        let until = ejectedUntil.load(ordering: .relaxed)
        guard until == 0 || now >= until else { return false }
        // Of failures at the same moment on both loops, the one whose exchange succeeds ejects it.
        let ejecting = ejectedUntil.compareExchange(expected: until, desired: now + UInt64(coolDown.nanoseconds), ordering: .relaxed)
        guard ejecting.exchanged else { return false }
        consecutiveFailures.store(0, ordering: .relaxed)
        return true
    }

    func recordCheck(healthy: Bool) {
        checkedHealthy.store(healthy, ordering: .relaxed)
    }
}
