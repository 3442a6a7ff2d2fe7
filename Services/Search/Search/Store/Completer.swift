import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The search box's completions in memory, loaded from the `completions` table again when the index's version has
/// changed (at most once a second) and at least every minute (for the weights the periodic job counts). One load at
/// a time; meanwhile suggestions come from the set before.
final class Completer: Sendable {
    private let postgres: PostgresClient
    private let cache: ResultCache
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var set: CompletionSet?
        var version: String?
        var loadedAt = ContinuousClock.Instant.now
        var loading: Task<CompletionSet, any Error>?
    }

    init(postgres: PostgresClient, cache: ResultCache, logger: Logger) {
        self.postgres = postgres
        self.cache = cache
        self.logger = logger
    }

    func suggest(_ folded: String, limit: Int) async throws -> [CompletionSet.Completion] {
        try await current().suggest(folded, limit: limit)
    }

    private func current() async throws -> CompletionSet {
        let version = await cache.version()
        let (set, loading) = state.withLockedValue { state -> (CompletionSet?, Task<CompletionSet, any Error>?) in
            let age = ContinuousClock.now - state.loadedAt
            if let set = state.set, (version == state.version || age < .seconds(1)) && age < .seconds(60) { return (set, nil) }
            let loading = state.loading ?? Task { try await self.load(version: version) }
            state.loading = loading
            // Until it is loaded, the set before serves.
            return (state.set, loading)
        }
        if let set { return set }
        return try await loading!.value
    }

    private func load(version: String?) async throws -> CompletionSet {
        defer { state.withLockedValue { $0.loading = nil } }
        var rows: [(folded: String, text: String, kind: String, weight: Int)] = []
        for try await row in try await postgres.query("SELECT folded, text, kind, weight FROM completions", logger: logger).decode(
            (String, String, String, Int).self)
        {
            rows.append(row)
        }
        let set = CompletionSet(rows)
        state.withLockedValue { state in
            state.set = set
            state.version = version
            state.loadedAt = .now
        }
        return set
    }
}
