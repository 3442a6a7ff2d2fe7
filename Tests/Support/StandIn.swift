import Hummingbird
import HummingbirdTesting

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
