import Hummingbird
import PostgresNIO
import ServiceKit

/// Builds the Search service: documents kept current in PostgreSQL by Booking's index feed, with their weighted,
/// accent-blind `tsvector`s (English and Spanish stems) and a lexicon for typos (pg_trgm); searched in an index in
/// memory that follows the documents; completions held in memory; results cached in Redis under the index's version;
/// recommendations recomputed now and then from co-bookings and content (``SearchSettings`` says how often).
/// `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = try SearchSettings(configuration)
    let runtime = try await ServiceRuntime<PostgresAndRedis>(
        configuration: configuration, migrations: SearchMigrations.all, retention: [Documents.retention])
    let postgres = runtime.postgres
    let cache = ResultCache(
        redis: runtime.redis,
        versionKey: "search:\(configuration.databaseSchema):version",
        ttl: settings.cacheTTL,
        logger: runtime.logger
    )
    let words = Words(postgres: postgres, logger: runtime.logger)
    let follower = IndexFollower(reads: runtime.reads, logger: runtime.logger) {
        words.forgetCorrections()
        await cache.invalidate()
    }
    let documents = Documents(postgres: postgres, logger: runtime.logger)
    let search = SearchService(
        logger: runtime.logger,
        clock: clock,
        documents: documents,
        feed: FeedQueue(documents: documents, follower: follower, clock: clock),
        follower: follower,
        index: SearchIndex(follower: follower, words: words),
        cache: cache,
        completer: Completer(postgres: postgres, cache: cache, logger: runtime.logger)
    )
    let reindex = Reindex(
        search: search, client: runtime.internalClient,
        isEmpty: { try await search.documents.isEmpty() },
        isMigrated: { runtime.isMigrated }
    )
    let recommendations = Recommendations(postgres: postgres, follower: follower, logger: runtime.logger)
    let recommender = PeriodicJob(
        Recommender(recommendations: recommendations, documents: search.documents, logger: runtime.logger),
        every: settings.recommendationsInterval,
        isMigrated: { runtime.isMigrated }
    )
    let following = PeriodicJob(
        follower, every: settings.indexInterval,
        isMigrated: { runtime.isMigrated }
    )
    let authenticator = runtime.tokenAuthenticator()
    let router = runtime.makeRouter(
        openAPI: SearchAPI.document,
        readiness: [
            ReadinessCheck(name: "search index") {
                guard follower.isLoaded else { throw Problem(.serviceUnavailable, detail: "The index is not read from PostgreSQL yet.") }
            },
            authenticator.readiness,
        ])
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    SearchRoutes(search: search).addRoutes(to: router)
    RecommendationRoutes(recommendations: recommendations).addRoutes(to: router)
    FeedRoutes(search: search, reindex: reindex).addRoutes(to: runtime.internalRoutes(of: router))
    return runtime.makeApplication(router: router, services: [following, reindex, recommender])
}
