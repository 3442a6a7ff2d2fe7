import NIOCore
import NIOHTTP1
import NIOPosix

/// The idle keep-alive connections of one event loop, by instance: a request takes one (or a new one) and gives
/// it back when its exchange ended cleanly.
final class UpstreamConnectionPool {
    /// Idle connections kept per instance (as nginx's `keepalive`); more are closed when given back.
    static let idleLimit = 64

    /// One instance's idle connections, a class so that taking one and giving it back changes it in place (a
    /// dictionary's values changed through its subscript allocated on every request).
    private final class Idle {
        var connections: [UpstreamConnection] = []
    }

    private let loop: any EventLoop
    private let connectTimeout: Duration
    private var idle: [String: Idle] = [:]

    init(loop: any EventLoop, connectTimeout: Duration) {
        self.loop = loop
        self.connectTimeout = connectTimeout
    }

    /// Hands `completion` an idle connection to `instance` (at once) or a new one.
    func connection(to instance: UpstreamInstance, _ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        while let connection = idle[instance.name]?.connections.popLast() {
            if connection.isActive {
                connection.isReused = true
                return completion(.success(connection))
            }
        }
        ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // What goes out is what NIO's parser accepted from the client, and what the gateway adds.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection())
                }
            }
            .connect(host: instance.host, port: instance.port)
            .assumeIsolated()
            .whenComplete { result in
                completion(result.flatMap { channel in Result { try channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) } })
            }
    }

    func closeIdle() {
        for connection in idle.values.flatMap(\.connections) { connection.close() }
        idle.removeAll()
    }

    func giveBack(_ connection: UpstreamConnection, to instance: UpstreamInstance) {
        connection.request = nil
        let kept =
            idle[instance.name]
            ?? {
                let made = Idle()
                idle[instance.name] = made
                return made
            }()
        guard connection.isActive, kept.connections.count < Self.idleLimit else { return connection.close() }
        kept.connections.append(connection)
    }
}
