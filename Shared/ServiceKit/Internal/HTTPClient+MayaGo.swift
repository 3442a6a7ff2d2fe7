import AsyncHTTPClient
import NIOCore
import Tracing

extension HTTPClient {
    /// The process's client for calls between services. Unlike `HTTPClient.shared`, a peer that refuses the
    /// connection fails the call at once (instead of retrying until the deadline), so that the caller (the
    /// outbox relay, the gateway) can retry on its own terms or answer 503 quickly. Without a tracer bootstrapped it is
    /// given none: AsyncHTTPClient would otherwise open a no-op span and compute its attributes at every call (2 % of
    /// Notify's CPU under bench/notify).
    public static let mayaGo: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(2)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        if InstrumentationSystem.tracer is NoOpTracer { configuration.tracing.tracer = nil }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
