import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What a service's read pool (its connections named `mayago-<schema>-reads`) ran where: on the test replica, or on
/// the primary.
public enum ReplicaActivity {
    /// How many of the read pool's connections to the database at `url` last ran a statement containing `text`.
    public static func reads(of schema: String, containing text: String, on url: String) async throws -> Int {
        try await query(
            url, "SELECT count(*)::int FROM pg_stat_activity WHERE application_name = \("mayago-\(schema)-reads") AND strpos(query, \(text)) > 0",
            as: Int.self) ?? 0
    }

    /// Whether the database at `url` is a standby replaying another's WAL.
    public static func isReplica(_ url: String) async throws -> Bool {
        try await query(url, "SELECT pg_is_in_recovery()", as: Bool.self) == true
    }

    private static func query<Value: PostgresDecodable & Sendable>(_ url: String, _ query: PostgresQuery, as: Value.Type) async throws -> Value? {
        let url = URL(string: url)!
        let logger = Logger(label: "replica-activity")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: url.host!, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
                database: String(url.path.dropFirst()), tls: .disable),
            id: 1, logger: logger)
        let value = try await connection.query(query, logger: logger).decode(Value.self).first { _ in true }
        try await connection.close()
        return value
    }
}
