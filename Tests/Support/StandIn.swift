import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle

/// Runs `router` on a real socket on loopback for the duration of `body`, which gets its port: a stand-in for
/// another service or an outside provider.
public func withStandIn<Value: Sendable>(
    _ router: Router<BasicRequestContext>,
    _ body: @Sendable (Int) async throws -> Value
) async throws -> Value {
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live) { client in
        try await body(client.port!)
    }
}

/// Runs `router` on a given loopback port until `body` returns: for a stand-in that must appear where something
/// was expected earlier (a peer that comes back).
public func withStandIn<Value: Sendable>(
    _ router: Router<BasicRequestContext>,
    port: Int,
    _ body: @Sendable () async throws -> Value
) async throws -> Value {
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: Logger(label: "stand-in"))
    let group = ServiceGroup(services: [app], logger: Logger(label: "stand-in"))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
