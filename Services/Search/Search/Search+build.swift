import Hummingbird
import PostgresNIO
import ServiceKit

/// Builds the Search service: documents kept current by Booking's index feed, searched with PostgreSQL's full text
/// search (weighted, accent-blind, English and Spanish stems), pg_trgm for typos and completions, and
/// earthdistance for places. `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(configuration: configuration, database: .init(migrations: SearchMigrations.all), usesRedis: false)
    let postgres = runtime.postgres!
    let search = SearchService(
        logger: runtime.logger,
        clock: clock,
        documents: Documents(postgres: postgres, logger: runtime.logger),
        index: SearchIndex(postgres: postgres, logger: runtime.logger)
    )
    let reindex = Reindex(
        search: search, client: runtime.internalClient,
        isEmpty: {
            let rows = try await postgres.query("SELECT NOT EXISTS (SELECT 1 FROM documents)", logger: runtime.logger)
            for try await empty in rows.decode(Bool.self) { return empty }
            return false
        },
        isMigrated: { runtime.isMigrated }
    )
    let router = runtime.makeRouter(openAPI: SearchAPI.document)
    SearchRoutes(search: search).addRoutes(to: router)
    FeedRoutes(search: search, reindex: reindex).addRoutes(to: runtime.internalRoutes(of: router))
    return runtime.makeApplication(router: router, services: [reindex])
}
