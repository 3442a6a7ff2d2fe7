import AsyncHTTPClient
import Contracts
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Active health checks: every `interval`, re-resolves each pool's names and asks every instance's `/health`;
/// an instance that does not answer 2xx within `timeout` gets no requests until it does again. The gauge
/// `mayago_gateway_upstream_healthy{service,instance}` shows the result.
struct UpstreamMonitor: Service {
    let pools: [UpstreamPool]
    let http: HTTPClient
    let interval: Duration
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await checkAll()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func checkAll() async {
        await withTaskGroup(of: Void.self) { group in
            for pool in pools {
                pool.resolve()
                for instance in pool.all {
                    group.addTask { await check(instance, of: pool) }
                }
            }
        }
    }

    private func check(_ instance: UpstreamInstance, of pool: UpstreamPool) async {
        var healthy = false
        do {
            let response = try await http.execute(HTTPClientRequest(url: instance.baseURL + "/health"), timeout: TimeAmount(timeout), logger: logger)
            healthy = (200..<300).contains(response.status.code)
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {}
        if healthy != instance.isHealthy {
            logger.notice(
                healthy ? "Upstream instance is healthy" : "Upstream instance failed its health check",
                metadata: ["upstream": .string(pool.service.rawValue), "instance": .string(instance.name)]
            )
        }
        instance.recordCheck(healthy: healthy)
        Gauge(label: "mayago.gateway.upstream.healthy", dimensions: [("service", pool.service.rawValue), ("instance", instance.name)])
            .record(healthy ? 1 : 0)
    }
}
