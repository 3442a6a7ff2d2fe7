import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import ServiceKit
import Testing

/// A service built for one test case: a schema of its own in the test database (dropped afterwards), a PostgreSQL
/// client on that schema for the test's own checks, and a router test client once `/ready` answers 200.
public struct ServiceUnderTest: Sendable {
    public let client: any TestClientProtocol
    public let postgres: PostgresClient
    public let configuration: ServiceConfiguration

    /// Builds `service` with the test variables plus `variables`, and runs `body` against it.
    public static func run<App: ApplicationProtocol, Value: Sendable>(
        _ service: ServiceName,
        variables: [String: String],
        build: (ServiceConfiguration) async throws -> App,
        _ body: @Sendable (ServiceUnderTest) async throws -> Value
    ) async throws -> Value where App.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let schema = "\(service.rawValue)_\(UUID().uuidString.prefix(8).lowercased())"
        let configuration = try TestEnvironment.configuration(service, variables.merging(["DATABASE_SCHEMA": schema]) { $1 })
        let app = try await build(configuration)
        let postgres = PostgresClient(
            configuration: try .init(url: URL(string: TestEnvironment.databaseURL)!, schema: schema, poolSize: 2),
            backgroundLogger: Logger(label: "\(service.rawValue)-test")
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await postgres.run() }
            defer { tasks.cancelAll() }
            let value = try await app.test(.router) { client in
                // Generous: under the whole suite, dozens of schemas migrate at once on two cores.
                try #require(
                    try await eventually(timeout: .seconds(60)) {
                        try await client.executeRequest(uri: "/ready", method: .get, headers: [:], body: nil).status == .ok
                    })
                return try await body(ServiceUnderTest(client: client, postgres: postgres, configuration: configuration))
            }
            try await postgres.query("DROP SCHEMA \(unescaped: schema) CASCADE")
            return value
        }
    }
}
