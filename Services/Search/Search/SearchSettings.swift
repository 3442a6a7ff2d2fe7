import ServiceKit

/// Search's own settings.
///
/// | variable | default |
/// |---|---|
/// | `SEARCH_CACHE_TTL_MS` | `30000` (0 to 86400000): how long a page of results stays in Redis (it is also dropped when the index changes); 0 keeps none and asks Redis nothing per search |
/// | `SEARCH_INDEX_INTERVAL_MS` | `250` (10 to 60000): how often the index in memory follows the documents |
/// | `RECOMMENDATIONS_INTERVAL_MS` | `600000`: how often recommendations are computed again |
struct SearchSettings: Sendable {
    var cacheTTL: Duration
    var indexInterval: Duration
    var recommendationsInterval: Duration

    init(_ configuration: ServiceConfiguration) throws {
        let settings = configuration.settings
        cacheTTL = try settings.milliseconds("search.cache.ttl.ms", default: .seconds(30), in: 0...86_400_000)
        indexInterval = try settings.milliseconds("search.index.interval.ms", default: .milliseconds(250), in: 10...60_000)
        recommendationsInterval = try settings.milliseconds("recommendations.interval.ms", default: .seconds(600))
    }
}
