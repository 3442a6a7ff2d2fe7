import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Everything Search's routes and jobs share, assembled once by `buildApplication`.
struct SearchService: Sendable {
    let logger: Logger
    let clock: WallClock
    let documents: Documents
    let index: SearchIndex
    let cache: ResultCache
    let completer: Completer

    /// `request`'s results as JSON, from the cache when the index has not changed since they were cached.
    func results(of request: SearchRequest, query: String) async throws -> Data {
        try await cache.answer(query) { try JSONEncoder.mayaGo.encode(try await search(request)) }
    }

    /// Applies one event of Booking's feed; the cache forgets what it knew when the index changed.
    func apply(_ event: SearchFeedEvent) async throws {
        if try await documents.apply(event, at: clock.now()) { await cache.invalidate() }
    }

    /// Searches with typo tolerance: a word the documents do not use (nor, while it is being typed, start with) may
    /// also be one of the nearest words they do use.
    func search(_ request: SearchRequest) async throws -> SearchResults {
        let words = request.text.words
        let corrections = try await index.corrections(of: words, lastIsPrefix: request.text.lastIsPrefix)
        let groups = zip(words, corrections).map { ([$0] + $1).joined(separator: "|") }
        return try await index.search(request, words: groups, now: clock.now())
    }
}
