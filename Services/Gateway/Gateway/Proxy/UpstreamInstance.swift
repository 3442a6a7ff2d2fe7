import Foundation
import NIOConcurrencyHelpers

/// One instance of an upstream service and what the gateway knows of its health: the last active health check,
/// and passive ejection after consecutive failed requests, for a cool-down.
final class UpstreamInstance: Sendable {
    struct Health {
        var checkedHealthy = true
        var consecutiveFailures = 0
        var ejectedUntil: ContinuousClock.Instant?
    }

    let baseURL: String
    /// `host:port`, for logs and metrics.
    let name: String
    let host: String
    let port: Int
    private let health = NIOLockedValueBox(Health())

    init(baseURL: URL) {
        self.baseURL = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        host = baseURL.host ?? "localhost"
        port = baseURL.port ?? 80
        name = "\(host):\(port)"
    }

    var isAvailable: Bool {
        health.withLockedValue { health in
            health.checkedHealthy && (health.ejectedUntil.map { ContinuousClock.now >= $0 } ?? true)
        }
    }

    var isHealthy: Bool {
        health.withLockedValue { $0.checkedHealthy }
    }

    func recordSuccess() {
        health.withLockedValue { health in
            health.consecutiveFailures = 0
            health.ejectedUntil = nil
        }
    }

    /// Counts a failed request; returns `true` when this one ejected the instance.
    func recordFailure(ejectAfter threshold: Int, coolDown: Duration) -> Bool {
        health.withLockedValue { health in
            health.consecutiveFailures += 1
            guard health.consecutiveFailures >= threshold, health.ejectedUntil.map({ ContinuousClock.now >= $0 }) ?? true else {
                return false
            }
            health.ejectedUntil = .now + coolDown
            health.consecutiveFailures = 0
            return true
        }
    }

    func recordCheck(healthy: Bool) {
        health.withLockedValue { $0.checkedHealthy = healthy }
    }
}
