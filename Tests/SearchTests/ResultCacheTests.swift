import Contracts
import Foundation
import Logging
import Redis
import ServiceKit
import TestSupport
import Testing

@testable import Search

/// The result cache against real Redis: an answer is computed once per query and index version.
@Suite struct ResultCacheTests {
    @Test func answersAreKeptUntilTheIndexChanges() async throws {
        let logger = Logger(label: "result-cache-test")
        let redis = try TestEnvironment.redis(logger: logger)
        let cache = ResultCache(redis: redis, versionKey: "test:search:\(UUID().uuidString):version", ttl: .seconds(30), logger: logger)
        let computed = Counter()
        func answer(_ query: String) async throws -> String {
            let data = try await cache.answer(query) {
                await computed.increment()
                return Data("\(query) #\(await computed.value)".utf8)
            }
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try await answer("q=tacos") == "q=tacos #1")
        #expect(try await answer("q=tacos") == "q=tacos #1")
        #expect(try await answer("q=mezcal") == "q=mezcal #2")
        // The index changed: every answer is computed again, then kept again.
        await cache.invalidate()
        #expect(try await answer("q=tacos") == "q=tacos #3")
        #expect(try await answer("q=tacos") == "q=tacos #3")
        #expect(await computed.value == 3)
    }

    /// Off means off: with `SEARCH_CACHE_TTL_MS=0` every search is answered from the index, even one another instance
    /// has cached, and nothing is cached.
    @Test func aTimeToLiveOfZeroAnswersFromTheIndexEveryTime() async throws {
        let ttl = try SearchSettings(TestEnvironment.configuration(.search, ["SEARCH_CACHE_TTL_MS": "0"])).cacheTTL
        #expect(ttl == .zero)
        let logger = Logger(label: "result-cache-test")
        let redis = try TestEnvironment.redis(logger: logger)
        let versionKey = "test:search:\(UUID().uuidString):version"
        let kept = ResultCache(redis: redis, versionKey: versionKey, ttl: .seconds(30), logger: logger)
        let off = ResultCache(redis: redis, versionKey: versionKey, ttl: ttl, logger: logger)
        _ = try await kept.answer("q=tacos") { Data("cached".utf8) }
        let computed = Counter()
        for _ in 0..<2 {
            let data = try await off.answer("q=tacos") {
                await computed.increment()
                return Data("from the index".utf8)
            }
            #expect(String(decoding: data, as: UTF8.self) == "from the index")
        }
        #expect(await computed.value == 2)
        let again = try await kept.answer("q=tacos") { Data("computed again".utf8) }
        #expect(String(decoding: again, as: UTF8.self) == "cached")
    }
}
