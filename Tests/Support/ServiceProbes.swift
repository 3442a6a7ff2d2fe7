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
    public static func checkHealthReadyAndMetrics<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: (ServiceConfiguration) async throws -> App
    ) async throws where App.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let app = try await build(try TestEnvironment.configuration(service))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            let ready = try await eventually {
                try await client.execute(uri: "/ready", method: .get) { $0.status == .ok }
            }
            #expect(ready)
            try await client.execute(uri: "/ready", method: .get) { response in
                let readiness = try response.decode(Readiness.self)
                #expect(readiness.status == .ok)
                #expect(readiness.checks["postgres"] == (service == .gateway ? nil : "ok"))
            }
            if service != .gateway {
                try await client.execute(uri: "/openapi.json", method: .get) { response in
                    #expect(response.status == .ok)
                    let document = try response.decode(JSONValue.self)
                    #expect(document["openapi"] == .string("3.1.0"))
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(response.text.contains("hb_requests"))
                #expect(response.text.contains("http_server_request_duration"))
            }
        }
    }

    /// `/ready` is 503 and names PostgreSQL while the database cannot be reached; `/health` stays 200.
    public static func checkNotReadyWithoutDatabase<App: ApplicationProtocol>(
        _ service: ServiceName,
        build: (ServiceConfiguration) async throws -> App
    ) async throws where App.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let closedPort = try TestEnvironment.freePort()
        let configuration = try TestEnvironment.configuration(service, ["DATABASE_URL": "postgres://mayago@127.0.0.1:\(closedPort)/nowhere"])
        let app = try await build(configuration)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let readiness = try response.decode(Readiness.self)
                #expect(readiness.status == .unavailable)
                #expect(readiness.checks["postgres"] != "ok")
                #expect(readiness.checks["postgres"] != nil)
            }
        }
    }
}
