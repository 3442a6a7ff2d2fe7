import Hummingbird
import PostgresNIO
import ServiceKit

/// Builds the Search service: documents kept current in PostgreSQL by Booking's index feed, with their weighted,
/// accent-blind `tsvector`s (English and Spanish stems) and a lexicon for typos (pg_trgm); searched in an index in
/// memory that follows the documents every `SEARCH_INDEX_INTERVAL_MS` (250 ms); completions held in memory; results
/// cached in Redis for `SEARCH_CACHE_TTL_MS` (30 s) under the index's version;
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
    let words = Words(postgres: postgres, logger: runtime.logger)
    let follower = IndexFollower(postgres: postgres, logger: runtime.logger) {
        words.forgetCorrections()
        await cache.invalidate()
    }
    let search = SearchService(
        logger: runtime.logger,
        clock: clock,
        documents: Documents(postgres: postgres, logger: runtime.logger),
        follower: follower,
        index: SearchIndex(follower: follower, words: words),
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
    let recommendations = Recommendations(postgres: postgres, follower: follower, logger: runtime.logger)
    let recommender = PeriodicJob(
        Recommender(recommendations: recommendations, documents: search.documents, logger: runtime.logger),
        every: try configuration.settings.milliseconds("recommendations.interval.ms", default: .seconds(600)),
        isMigrated: { runtime.isMigrated }
    )
    let following = PeriodicJob(
        follower, every: try configuration.settings.milliseconds("search.index.interval.ms", default: .milliseconds(250), in: 10...60_000),
        isMigrated: { runtime.isMigrated }
    )
    let router = runtime.makeRouter(openAPI: SearchAPI.document, readiness: [
        ReadinessCheck(name: "search index") {
            guard follower.isLoaded else { throw Problem(.serviceUnavailable, detail: "The index is not read from PostgreSQL yet.") }
        },
    ])
    router.add(middleware: AuthenticationMiddleware(authenticator: runtime.tokenAuthenticator()))
    SearchRoutes(search: search).addRoutes(to: router)
    RecommendationRoutes(recommendations: recommendations).addRoutes(to: router)
    FeedRoutes(search: search, reindex: reindex).addRoutes(to: runtime.internalRoutes(of: router))
    return runtime.makeApplication(router: router, services: [following, reindex, recommender])
}
