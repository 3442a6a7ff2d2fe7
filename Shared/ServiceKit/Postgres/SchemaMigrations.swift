import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// Applies the service's migrations once PostgreSQL answers, retrying with backoff while it does not, so that a
/// service started before its database waits for it (and says so on `/ready`) instead of crashing. When done it
/// runs `onApplied` (the outbox relay starts then).
public final class SchemaMigrations: Service, Sendable {
    private let migrator: Migrator
    private let postgres: PostgresClient
    private let logger: Logger
    private let onApplied: @Sendable () -> Void
    private let state = NIOLockedValueBox<Result<Void, any Error>?>(nil)

    public init(migrator: Migrator, postgres: PostgresClient, logger: Logger, onApplied: @escaping @Sendable () -> Void) {
        self.migrator = migrator
        self.postgres = postgres
        self.logger = logger
        self.onApplied = onApplied
    }

    public var isApplied: Bool {
        if case .success = state.withLockedValue({ $0 }) { true } else { false }
    }

    /// Throws until the migrations are applied, with the last reason they are not.
    public func requireApplied() throws {
        switch state.withLockedValue({ $0 }) {
        case .success: return
        case .failure(let error): throw error
        case nil: throw MigrationsPending()
        }
    }

    /// Throws until the replica `client` reads has them too.
    public func requireReplicated(on client: PostgresClient) async throws {
        try requireApplied()
        try await migrator.requireApplied(on: client, logger: logger)
    }

    struct MigrationsPending: Error, CustomStringConvertible {
        var description: String { "migrations not applied yet" }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await self.migrator.migrate(self.postgres, logger: self.logger)
                    self.state.withLockedValue { $0 = .success(()) }
                    self.onApplied()
                    return
                } catch {
                    self.state.withLockedValue { $0 = .failure(error) }
                    self.logger.warning("Cannot migrate yet; retrying", metadata: ["error": "\(String(reflecting: error))", "retryIn": "\(delay)"])
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        }
        // A service runs until shutdown, as the service group expects.
        try? await gracefulShutdown()
    }
}
