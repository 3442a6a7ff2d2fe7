import Contracts
import Foundation
import Logging
import NIOHTTP1
import ServiceKit
import ServiceLifecycle

/// Pages through Booking's whole index and applies it, when asked and once at start if the index is empty. Newer
/// events that arrive meanwhile win by version. If Booking is away, the same page is asked again after a pause.
final class Reindex: Service, Sendable {
    private let search: SearchService
    private let client: InternalClient
    private let isEmpty: @Sendable () async throws -> Bool
    private let isMigrated: @Sendable () -> Bool
    private let requests: AsyncStream<Void>
    private let request: AsyncStream<Void>.Continuation

    init(search: SearchService, client: InternalClient, isEmpty: @escaping @Sendable () async throws -> Bool, isMigrated: @escaping @Sendable () -> Bool) {
        self.search = search
        self.client = client
        self.isEmpty = isEmpty
        self.isMigrated = isMigrated
        (requests, request) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func start() {
        request.yield()
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !self.isMigrated() { try await Task.sleep(for: .milliseconds(100)) }
            if (try? await self.isEmpty()) == true { self.start() }
            for await _ in self.requests {
                try await self.reindex()
            }
        }
    }

    private func reindex() async throws {
        var cursor: String?
        var pages = 0
        var pause = Duration.seconds(1)
        repeat {
            let path = SearchFeedPage.path + "?limit=200" + (cursor.map { "&after=\($0)" } ?? "")
            do {
                let page = try await client.call(
                    .GET, to: SearchFeedPage.destination, path: path, requestID: nil, logger: search.logger, as: SearchFeedPage.self)
                // The index follower reads what changed in its next round.
                try await search.documents.learn(try await search.documents.write(page.events, at: search.clock.now(), oncePerID: false))
                cursor = page.nextCursor
                pages += 1
                pause = .seconds(1)
            } catch {
                search.logger.warning("Reindex page failed; asking again", metadata: ["after": "\(cursor ?? "start")", "error": "\(error)"])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(60))
            }
        } while cursor != nil || pages == 0
        search.logger.info("Reindexed from Booking", metadata: ["pages": "\(pages)"])
    }
}
