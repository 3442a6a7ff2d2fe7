import Logging
import PostgresNIO

/// Applies a service's migrations to its schema. The whole run holds a transaction-scoped advisory lock keyed
/// by the schema, so instances that start together take turns: the first applies, the others find it done.
public struct Migrator: Sendable {
    public let schema: String
    public let migrations: [Migration]

    /// The first key of the advisory lock, so MayaGo's locks cannot collide with anyone else's in the database.
    static let lockNamespace: Int32 = 0x4D_59_47  // "MYG"

    public init(schema: String, migrations: [Migration]) {
        precondition(schema.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "schema names are plain identifiers")
        precondition(Set(migrations.map(\.version)).count == migrations.count, "migration versions are unique")
        self.schema = schema
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Throws unless the database `client` reads (a replica) has the newest migration.
    public func requireApplied(on client: PostgresClient, logger: Logger) async throws {
        guard let newest = migrations.last else { return }
        let rows = try await client.query("SELECT version FROM \(unescaped: schema).schema_migrations WHERE version = \(newest.version)", logger: logger)
        guard try await rows.decode(Int.self).first(where: { _ in true }) != nil else { throw SchemaMigrations.MigrationsPending() }
    }

    /// Applies what is missing and returns the versions it applied.
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(schema)))", logger: logger)
            try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: schema).schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM \(unescaped: schema).schema_migrations", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                logger.info("Applying migration", metadata: ["schema": .string(schema), "version": "\(migration.version)", "name": .string(migration.name)])
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO \(unescaped: schema).schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                done.append(migration.version)
            }
            return done
        }
    }
}
