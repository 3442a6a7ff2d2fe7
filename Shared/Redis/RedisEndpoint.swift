import Foundation

/// Where a Redis server is, from a `redis://[user:password@]host:port[/database]` URL.
public struct RedisEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int

    public init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// A URL that does not name a Redis server; `expected` says what it should be.
    public struct InvalidURL: Error, CustomStringConvertible {
        public let expected: String
        public var description: String { "a Redis URL must be \(expected)" }
    }

    public init(url: URL) throws {
        guard url.scheme == "redis", let host = url.host, !host.isEmpty else { throw InvalidURL(expected: "redis://host:port[/database]") }
        let path = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else { throw InvalidURL(expected: "a database number after the slash") }
        let user = url.user(percentEncoded: false)
        self.init(
            host: host,
            port: url.port ?? 6379,
            username: user.flatMap { $0.isEmpty ? nil : $0 },
            password: url.password(percentEncoded: false),
            database: database
        )
    }
}
