import Contracts
import Crypto
import Foundation
import Logging
import Redis
import ServiceKit

/// Turns a message's text into the reader's language.
protocol Translator: Sendable {
    /// Who translates, which keeps one provider's translations apart from another's in the cache.
    var name: String { get }
    func translate(_ text: String, to language: String) async throws -> String
}

/// For development and tests: marks the text with the language instead of translating it.
struct MarkingTranslator: Translator {
    let name = "local"

    func translate(_ text: String, to language: String) async throws -> String {
        "[\(language)] \(text)"
    }
}

/// Keeps translations in Redis for a week, by language and the text's hash, so that a message is translated once
/// however often it is read. Without Redis it asks the translator every time.
struct CachedTranslator: Translator {
    let base: any Translator
    let redis: RedisClient
    let logger: Logger
    var name: String { base.name }

    func translate(_ text: String, to language: String) async throws -> String {
        let digest = SHA256.hash(data: Data(text.utf8)).hexString
        let key = RedisArgument("messaging:translation:\(base.name):\(language):\(digest)")
        if let cached = try? await redis.send("GET", key).string { return cached }
        let translated = try await base.translate(text, to: language)
        _ = try? await redis.send("SET", key, RedisArgument(translated), "EX", RedisArgument(7 * 86_400))
        return translated
    }
}
