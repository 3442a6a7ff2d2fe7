import Foundation
import Logging
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@Suite struct MigratorTests {
    let logger = Logger(label: "migrator-test")

    @Test func racingInstancesApplyEachMigrationOnce() async throws {
        let schema = "race_\(UUID().uuidString.prefix(8).lowercased())"
        let migrations = [
            Migration(100, "things", ["CREATE TABLE things (id integer PRIMARY KEY)", "INSERT INTO things VALUES (1)"]),
            Migration(101, "more things", ["INSERT INTO things VALUES (2)"]),
        ]
        let url = URL(string: TestEnvironment.databaseURL)!
        let clients = try (0..<4).map { _ in
            PostgresClient(configuration: try .init(url: url, schema: schema, poolSize: 2), backgroundLogger: logger)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask { await client.run() }
            }
            let applied = try await withThrowingTaskGroup(of: [Int].self) { racers in
                for client in clients {
                    racers.addTask { try await Migrator(schema: schema, migrations: migrations).migrate(client, logger: logger) }
                }
                return try await racers.reduce(into: [[Int]]()) { $0.append($1) }
            }
            // Exactly one instance applied everything; the others found it done.
            #expect(applied.filter { !$0.isEmpty } == [[100, 101]])
            let rows = try await clients[0].query("SELECT count(*) FROM things", logger: logger)
            for try await count in rows.decode(Int.self) {
                #expect(count == 2)
            }
            let versions = try await clients[0].query("SELECT version FROM \(unescaped: schema).schema_migrations ORDER BY version", logger: logger)
            var found: [Int] = []
            for try await version in versions.decode(Int.self) { found.append(version) }
            #expect(found == [100, 101])
            // A later start with one more migration applies just that one.
            let next = migrations + [Migration(102, "last thing", ["INSERT INTO things VALUES (3)"])]
            #expect(try await Migrator(schema: schema, migrations: next).migrate(clients[1], logger: logger) == [102])
            try await clients[0].query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
            group.cancelAll()
        }
    }
}
