import Hummingbird
import PostgresNIO
import ServiceKit

/// Builds the Search service: documents kept current by Booking's index feed, searched with PostgreSQL's full text
/// search (weighted, accent-blind, English and Spanish stems), pg_trgm for typos, completions held in memory, and
/// earthdistance for places; results cached in Redis for `SEARCH_CACHE_TTL_MS` (30 s) under the index's version;
/// recommendations recomputed every `RECOMMENDATIONS_INTERVAL_MS` (ten minutes) from
/// co-bookings and content. `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let runtime = try await ServiceRuntime(configuration: configuration, database: .init(migrations: SearchMigrations.all), usesRedis: true)
    let postgres = runtime.postgres!
    let cache = ResultCache(
        redis: runtime.redis!,
        versionKey: "search:\(configuration.databaseSchema):version",
        ttl: try configuration.settings.milliseconds("search.cache.ttl.ms", default: .seconds(30)),
        logger: runtime.logger
    )
    let search = SearchService(
        logger: runtime.logger,
        clock: clock,
        documents: Documents(postgres: postgres, logger: runtime.logger),
        index: SearchIndex(postgres: postgres, logger: runtime.logger),
        cache: cache,
        completer: Completer(postgres: postgres, cache: cache, logger: runtime.logger)
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
    let recommendations = Recommendations(postgres: postgres, logger: runtime.logger)
    let recommender = PeriodicJob(
        Recommender(recommendations: recommendations, documents: search.documents, logger: runtime.logger),
        every: try configuration.settings.milliseconds("recommendations.interval.ms", default: .seconds(600)),
        isMigrated: { runtime.isMigrated }
    )
    let router = runtime.makeRouter(openAPI: SearchAPI.document)
    router.add(middleware: AuthenticationMiddleware(authenticator: runtime.tokenAuthenticator()))
    SearchRoutes(search: search).addRoutes(to: router)
    RecommendationRoutes(recommendations: recommendations).addRoutes(to: router)
    FeedRoutes(search: search, reindex: reindex).addRoutes(to: runtime.internalRoutes(of: router))
    return runtime.makeApplication(router: router, services: [reindex, recommender])
}
