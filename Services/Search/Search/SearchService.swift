import Contracts
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import ServiceKit

/// Everything Search's routes and jobs share, assembled once by `buildApplication`.
struct SearchService: Sendable {
    let logger: Logger
    let clock: WallClock
    let documents: Documents
    let feed: FeedQueue
    let follower: IndexFollower
    let index: SearchIndex
    let cache: ResultCache
    let completer: Completer

    /// `request`'s results as JSON, from the cache when the index has not changed since they were cached.
    func results(of request: SearchRequest, query: String) async throws -> Data {
        try await cache.answer(query) { try await search(request).json }
    }

    /// Completions of what the search box holds, its words folded as the index folds them.
    func suggestions(for text: String, limit: Int) async throws -> [CompletionSet.Completion] {
        let folded = QueryText.tokens(text).joined(separator: " ")
        return folded.isEmpty ? [] : try await completer.suggest(folded, limit: limit)
    }

    /// Applies one event of Booking's feed, searchable on this instance when it returns (on the others within a round
    /// of their followers).
    func apply(_ event: SearchFeedEvent) async throws {
        do {
            try await feed.apply(event)
        } catch let error as PSQLError where error.serverInfo?[.sqlState]?.hasPrefix("22") == true {
            // A value PostgreSQL cannot hold (a number beyond its range) is no fault of Search's and no retry mends
            // it: a 422 that the sender keeps as the event's last error, for an operator, not a 500 logged here.
            throw Problem(.unprocessableContent, detail: "PostgreSQL refuses the event: \(error.serverInfo?[.message] ?? "a data exception").")
        }
    }

    func erase(_ userID: UUID) async throws {
        try await documents.erase(userID)
        try await follower.catchUp()
    }

    func search(_ request: SearchRequest) async throws -> SearchResults {
        try await index.search(request, now: clock.now())
    }
}
