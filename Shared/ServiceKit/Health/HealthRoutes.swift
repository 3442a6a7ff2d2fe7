import Contracts
import Hummingbird
import Logging
import NIOCore

/// `/health` (the process is alive), `/ready` (every dependency answers, else 503 naming the one that does not)
/// and `/metrics` (Prometheus text).
public struct HealthRoutes: Sendable {
    public let checks: [ReadinessCheck]
    /// How long one check may take before it counts as failed.
    public let timeout: Duration

    public init(checks: [ReadinessCheck], timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.timeout = timeout
    }

    public func addRoutes(to router: some RouterMethods<ServiceRequestContext>) {
        router.get("health") { _, _ in
            try Response.json(Readiness(status: .ok, checks: [:]))
        }
        router.get("ready") { _, context in
            try await ready(context: context)
        }
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
        let readiness = Readiness(status: failed.isEmpty ? .ok : .unavailable, checks: results)
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
