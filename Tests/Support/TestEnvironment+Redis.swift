import Foundation
import Logging
import Redis

extension TestEnvironment {
    /// A client of the test Redis (`url`, `redisURL` unless told), for a test's own reads and writes.
    public static func redis(_ url: String = redisURL, logger: Logger = Logger(label: "test")) throws -> RedisClient {
        RedisClient(configuration: .init(endpoint: try RedisEndpoint(url: URL(string: url)!)), logger: logger)
    }
}
