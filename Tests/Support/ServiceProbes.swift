import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

/// The checks every service passes: `/health`, `/ready` (and 503 naming PostgreSQL when its database is
/// unreachable), `/metrics`.
public enum ServiceProbes {
    /// Returns what `/ready` answered once the service was ready, with a stand-in Auth publishing its keys.
    @discardableResult
    public static func checkHealthReadyAndMetrics<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: @Sendable (ServiceConfiguration) async throws -> App
    ) async throws -> Readiness? where App.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let auth = Router()
        TestTokens().publish(on: auth)
        return try await withStandIn(auth) { authPort in
            let app = try await build(try TestEnvironment.configuration(service, ["AUTH_URL": "http://127.0.0.1:\(authPort)"]))
            return try await checkHealthReadyAndMetrics(service, app)
        }
    }

    private static func checkHealthReadyAndMetrics<App: ApplicationProtocol>(
        _ service: ServiceName,
        _ app: App
    ) async throws -> Readiness? where App.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            // Generous: at the start of the suite dozens of schemas migrate at once on two cores.
            let ready = try await eventually(timeout: .seconds(60)) {
                try await client.execute(uri: "/ready", method: .get) { $0.status == .ok }
            }
            #expect(ready)
            let readiness = try await client.execute(uri: "/ready", method: .get) { response in
                try? response.decode(Readiness.self)
            }
            if service != .gateway {
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    let document = try response.decode(JSONValue.self)
                    #expect(document["openapi"] == .string("3.1.0"))
                }
            }
            // The gateway's public port has no metrics: they are on its operators' port.
            guard service != .gateway else { return readiness }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(response.text.contains("hb_requests"))
                #expect(response.text.contains("http_server_request_duration"))
            }
            return readiness
        }
    }

    /// `/ready` is 503 while the database cannot be reached, and `/health` stays 200; returns what `/ready` said.
    public static func checkNotReadyWithoutDatabase<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: (ServiceConfiguration) async throws -> App
    ) async throws -> Readiness? where App.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let closedPort = try TestEnvironment.freePort()
        let configuration = try TestEnvironment.configuration(service, ["DATABASE_URL": "postgres://mayago@127.0.0.1:\(closedPort)/nowhere"])
        let app = try await build(configuration)
        return try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            return try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                return try? response.decode(Readiness.self)
            }
        }
    }
}
