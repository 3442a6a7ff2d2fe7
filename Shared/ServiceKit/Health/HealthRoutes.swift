import Contracts
import Hummingbird
import Logging
import NIOCore

/// `/health` (the process is alive), `/ready` (every dependency answers, else 503 naming the one that does not)
/// and `/metrics` (Prometheus text).
public struct HealthRoutes: Sendable {
    /// Who may see what: the services' own ports and the gateway's admin port show everything; the gateway's public
    /// port says only whether it is alive and ready, with no dependency names, errors or metrics.
    public struct Exposure: Sendable, Equatable {
        let details: Bool

        public static let full = Exposure(details: true)
        public static let statusOnly = Exposure(details: false)
    }

    public let checks: [ReadinessCheck]
    /// How long one check may take before it counts as failed.
    public let timeout: Duration
    public let exposure: Exposure

    public init(checks: [ReadinessCheck], timeout: Duration = .seconds(2), exposure: Exposure = .full) {
        self.checks = checks
        self.timeout = timeout
        self.exposure = exposure
    }

    public func addRoutes(to router: some RouterMethods<ServiceRequestContext>) {
        router.get("health") { _, _ in
            try Response.json(Readiness(status: .ok, checks: [:]))
        }
        router.get("ready") { _, context in
            try await ready(context: context)
        }
        guard exposure.details else { return }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: ServiceMetrics.exposition()))
            )
        }
    }

    func ready(context: ServiceRequestContext) async throws -> Response {
        let results = await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask { (check.name, await run(check)) }
            }
            return await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
        }
        let failed = results.filter { $0.value != "ok" }
        if !failed.isEmpty {
            context.logger.warning("Not ready", metadata: ["failed": .string(failed.keys.sorted().joined(separator: ","))])
        }
        let readiness = Readiness(status: failed.isEmpty ? .ok : .unavailable, checks: exposure.details ? results : [:])
        return try Response.json(readiness, status: failed.isEmpty ? .ok : .serviceUnavailable)
    }

    private func run(_ check: ReadinessCheck) async -> String {
        do {
            try await withTimeout(timeout) { try await check.check() }
            return "ok"
        } catch is TimeoutError {
            return "no answer within \(timeout)"
        } catch {
            return "failed: \(error)"
        }
    }
}
