import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

@testable import ServiceKit

/// What keeps the outbox and the inbox from growing without end.
@Suite struct OutboxUpkeepTests {
    let logger = Logger(label: "outbox-upkeep-test")

    @Test func theMigrationDeletesDeliveredRowsAndKeepsWhatIsOwed() async throws {
        try await withSchema { postgres, schema in
            let before = Outbox.migrations.filter { $0.version < 5 }
            try await Migrator(schema: schema, migrations: before).migrate(postgres, logger: logger)
            let (delivered, owed) = (UUID(), UUID())
            try await postgres.query(
                """
                INSERT INTO outbox (id, destination, path, payload, delivered_at)
                VALUES (\(delivered), 'notify', '/internal/v1/notes', '{}', now()), (\(owed), 'notify', '/internal/v1/notes', '{}', NULL)
                """,
                logger: logger)
            #expect(try await Migrator(schema: schema, migrations: Outbox.migrations).migrate(postgres, logger: logger) == [5])
            #expect(try await ids(in: "outbox", postgres) == [owed])
        }
    }

    @Test func retentionForgetsReceivedMessagesOlderThanAWeekInBatches() async throws {
        try await withSchema { postgres, schema in
            try await Migrator(schema: schema, migrations: Outbox.migrations).migrate(postgres, logger: logger)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let week = Outbox.inboxRetention.milliseconds / 1000
            let ages: [TimeInterval] = [week + 86_400, week + 60, week + 1, week - 60, 3600, 0]
            let received = ages.map { (id: UUID(), at: now.addingTimeInterval(-$0)) }
            for message in received {
                try await postgres.query("INSERT INTO inbox (message_id, received_at) VALUES (\(message.id), \(message.at))", logger: logger)
            }
            // Two a statement: the three that are too old take two rounds of the loop.
            var retention = Retention([Outbox.inboxRule], postgres: postgres, clock: WallClock { now }, logger: logger)
            retention.batch = 2
            await retention.runOnce()
            #expect(try await ids(in: "inbox", postgres) == Set(received.suffix(3).map(\.id)))
            // A message kept is still recognised as a repeat.
            let isNew = try await postgres.withTransaction(logger: logger) { connection in
                try await Outbox.receive(received[3].id, on: connection, logger: logger)
            }
            #expect(!isNew)
        }
    }

    /// The relay claims from an outbox analyzed empty, as autovacuum mostly finds it, and then from a backlog: the claim
    /// leases one batch, the rows due first. (Prepared, and planned as a semi join on the empty table, it leased the
    /// whole backlog: 110-206 rows a claim under bench/booking.)
    @Test func aClaimLeasesOneBatchOfABacklogAfterTheTableWasAnalyzedEmpty() async throws {
        try await withSchema { postgres, schema in
            try await Migrator(schema: schema, migrations: Outbox.migrations).migrate(postgres, logger: logger)
            try await postgres.withConnection { connection in
                // An outbox analyzed empty, as autovacuum leaves a drained one, and claimed from as the relay polls it.
                try await connection.query("ANALYZE outbox", logger: logger)
                for _ in 0..<6 { try await connection.query(OutboxClaim.query(leaseSeconds: 30), logger: logger) }
                // A backlog written in the order it falls due, as services write it.
                try await connection.query(
                    """
                    INSERT INTO outbox (id, destination, path, payload, next_attempt_at)
                    SELECT gen_random_uuid(), 'notify', '/internal/v1/notes', '{}', now() - make_interval(secs => \(3 * OutboxClaim.batchSize) - n)
                    FROM generate_series(1, \(3 * OutboxClaim.batchSize)) n
                    """,
                    logger: logger)
                var dueFirst: Set<UUID> = []
                let rows = try await connection.query("SELECT id FROM outbox ORDER BY next_attempt_at LIMIT \(OutboxClaim.batchSize)", logger: logger)
                for try await id in rows.decode(UUID.self) { dueFirst.insert(id) }
                var claimed: [UUID] = []
                let claim = try await connection.query(OutboxClaim.query(leaseSeconds: 30), logger: logger)
                for try await row in claim.decode(OutboxClaim.Row.self) { claimed.append(row.0) }
                #expect(claimed.count == OutboxClaim.batchSize)
                #expect(Set(claimed).subtracting(dueFirst).isEmpty)
                let leased = try await connection.query("SELECT count(*)::int FROM outbox WHERE attempts > 0", logger: logger)
                for try await count in leased.decode(Int.self) { #expect(count == OutboxClaim.batchSize) }
            }
        }
    }

    private func withSchema(_ body: (PostgresClient, String) async throws -> Void) async throws {
        let schema = "upkeep_\(UUID().uuidString.prefix(8).lowercased())"
        let postgres = PostgresClient(
            configuration: try .init(url: URL(string: TestEnvironment.databaseURL)!, schema: schema, poolSize: 2), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await body(postgres, schema)
            try await postgres.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger)
        }
    }

    private func ids(in table: String, _ postgres: PostgresClient) async throws -> Set<UUID> {
        let column = table == "inbox" ? "message_id" : "id"
        let rows = try await postgres.query(PostgresQuery(unsafeSQL: "SELECT \(column) FROM \(table)"), logger: logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }
}
