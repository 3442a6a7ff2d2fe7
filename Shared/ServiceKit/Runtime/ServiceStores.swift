import Logging
import NIOPosix
import PostgresNIO
import Redis
import ServiceLifecycle

/// Where a service keeps its state, opened by ``ServiceRuntime``: nothing, Redis, PostgreSQL (its schema with the
/// outbox, the inbox and idempotency keys), or both. A service names its kind in its runtime's type, so that what
/// it has is never optional: `runtime.postgres` compiles exactly for the services with a database.
public protocol ServiceStores: Sendable {
    /// Opens the stores the configuration names; `migrations` build the service's schema where it has one, and
    /// `retention`'s rules age its tables, beside ServiceKit's own, in one job.
    init(configuration: ServiceConfiguration, migrations: [Migration], retention: [Retention.Rule], client: InternalClient, logger: Logger) throws
    /// Long-lived clients, run beside the server.
    var services: [any Service] { get }
    /// What `/ready` checks.
    var readinessChecks: [ReadinessCheck] { get }
    /// The schema's migrations, where there is a schema.
    var schema: SchemaMigrations? { get }
    /// Redis, where the service has it: the token deny-list is checked there.
    var denyList: RedisClient? { get }
}

extension ServiceStores {
    public var schema: SchemaMigrations? { nil }
    public var denyList: RedisClient? { nil }
}

/// No store: a service that keeps nothing (tests of the runtime itself).
public struct NoStores: ServiceStores {
    public init(configuration: ServiceConfiguration, migrations: [Migration], retention: [Retention.Rule], client: InternalClient, logger: Logger) {}
    public var services: [any Service] { [] }
    public var readinessChecks: [ReadinessCheck] { [] }
}

/// Redis only: the gateway's rate limits and deny-list.
public struct RedisStore: ServiceStores {
    public let redis: RedisClient

    public init(configuration: ServiceConfiguration, migrations: [Migration], retention: [Retention.Rule], client: InternalClient, logger: Logger) throws {
        let endpoint: RedisEndpoint
        do {
            endpoint = try RedisEndpoint(url: configuration.redisURL)
        } catch let invalid as RedisEndpoint.InvalidURL {
            throw ConfigurationError(variable: "REDIS_URL", expected: invalid.expected, value: nil)
        }
        redis = RedisClient(configuration: .init(endpoint: endpoint), logger: logger, loops: ServiceMain.tasksRunOnLoops ? .singleton : nil)
    }

    public var services: [any Service] { [redis] }
    public var readinessChecks: [ReadinessCheck] { [redis.readinessCheck] }
    public var denyList: RedisClient? { redis }
}

/// PostgreSQL: the service's schema, migrated at start, with the outbox relay and idempotency keys on it, and its old
/// rows aged out (``Retention``: the inbox's and the service's own rules, every `RETENTION_INTERVAL_MS`).
public struct PostgresStore: ServiceStores {
    public let postgres: PostgresClient
    /// The replica for reads that may lag, or the primary again.
    public let reads: DatabaseReads
    private let replica: PostgresClient?
    private let sampler: PeriodicJob
    private let retention: PeriodicJob
    public let outbox: OutboxRelay
    /// `Idempotency-Key` handling for the service's public POSTs.
    public let idempotentRequests: IdempotentRequests
    let migrations: SchemaMigrations

    /// ServiceKit's tables in every service's schema (versions below 100): the outbox, the inbox, idempotency keys.
    public static let sharedMigrations = Outbox.migrations + [IdempotentRequests.migration]

    public init(configuration: ServiceConfiguration, migrations: [Migration], retention: [Retention.Rule], client: InternalClient, logger: Logger) throws {
        postgres = PostgresClient(
            configuration: try .init(url: configuration.databaseURL, schema: configuration.databaseSchema, poolSize: configuration.databasePoolSize),
            eventLoopGroup: LoopsInTurn.shared, backgroundLogger: logger
        )
        replica = try configuration.databaseReadURL.map { url in
            PostgresClient(
                configuration: try .init(
                    url: url, schema: configuration.databaseSchema, poolSize: configuration.databasePoolSize, applicationName: "reads",
                    variable: "DATABASE_READ_URL"),
                eventLoopGroup: LoopsInTurn.shared, backgroundLogger: logger
            )
        }
        reads = DatabaseReads(primary: postgres, replica: replica)
        let outbox = OutboxRelay(postgres: postgres, client: client, configuration: try .init(settings: configuration.settings), logger: logger)
        self.outbox = outbox
        idempotentRequests = IdempotentRequests(postgres: postgres, logger: logger)
        let schema = SchemaMigrations(
            migrator: Migrator(schema: configuration.databaseSchema, migrations: Self.sharedMigrations + migrations),
            postgres: postgres,
            logger: logger,
            onApplied: outbox.activate
        )
        self.migrations = schema
        sampler = PeriodicJob(
            StoreMetrics(postgres: postgres, schema: configuration.databaseSchema, poolSize: configuration.databasePoolSize, logger: logger),
            every: .seconds(5), isMigrated: { schema.isApplied })
        self.retention = PeriodicJob(
            Retention([Outbox.inboxRule] + retention, postgres: postgres, logger: logger),
            every: try configuration.settings.milliseconds("retention.interval.ms", default: .seconds(600)), isMigrated: { schema.isApplied })
    }

    public var services: [any Service] { [postgres, migrations, outbox, sampler, retention] + (replica.map { [$0] } ?? []) }
    public var readinessChecks: [ReadinessCheck] {
        [
            ReadinessCheck(name: "postgres") { [postgres, migrations] in
                try migrations.requireApplied()
                try await postgres.query("SELECT 1")
            }
        ]
            + (replica.map { replica in [ReadinessCheck(name: "postgres-replica") { [migrations] in try await migrations.requireReplicated(on: replica) }] }
                ?? [])
    }
    public var schema: SchemaMigrations? { migrations }
}

/// PostgreSQL and Redis: Auth, Messaging, Search.
@dynamicMemberLookup
public struct PostgresAndRedis: ServiceStores {
    public let database: PostgresStore
    public let redis: RedisClient

    public init(configuration: ServiceConfiguration, migrations: [Migration], retention: [Retention.Rule], client: InternalClient, logger: Logger) throws {
        database = try PostgresStore(configuration: configuration, migrations: migrations, retention: retention, client: client, logger: logger)
        redis = try RedisStore(configuration: configuration, migrations: [], retention: [], client: client, logger: logger).redis
    }

    /// The database's handles, as `stores.postgres`, `stores.outbox`.
    public subscript<Value>(dynamicMember keyPath: KeyPath<PostgresStore, Value>) -> Value { database[keyPath: keyPath] }

    public var services: [any Service] { database.services + [redis] }
    public var readinessChecks: [ReadinessCheck] {
        database.readinessChecks + [redis.readinessCheck]
    }
    public var schema: SchemaMigrations? { database.schema }
    public var denyList: RedisClient? { redis }
}

extension OutboxRelay.Configuration {
    /// `OUTBOX_POLL_MS`, `OUTBOX_MIN_BACKOFF_MS`, `OUTBOX_MAX_BACKOFF_MS`.
    init(settings: Settings) throws {
        self.init()
        pollInterval = try settings.milliseconds("outbox.poll.ms", default: pollInterval)
        minimumBackoff = try settings.milliseconds("outbox.min.backoff.ms", default: minimumBackoff)
        maximumBackoff = try settings.milliseconds("outbox.max.backoff.ms", default: maximumBackoff)
    }
}
