import Foundation

/// Where a Redis server is, from a `redis://[user:password@]host:port[/database]` URL, or `rediss://` for TLS, which
/// checks the server's certificate and name against the system's authorities or those of `?ssl_ca_certs=<PEM file>`
/// (as redis-py names it).
public struct RedisEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    public var tls: TLS?

    /// TLS to the server: whom to trust, when not the system's authorities.
    public struct TLS: Sendable, Hashable {
        public var authorityFile: String?

        public init(authorityFile: String? = nil) {
            self.authorityFile = authorityFile
        }
    }

    public init(host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// A URL that does not name a Redis server; `expected` says what it should be.
    public struct InvalidURL: Error, CustomStringConvertible {
        public let expected: String
        public var description: String { "a Redis URL must be \(expected)" }
    }

    public init(url: URL) throws {
        guard url.scheme == "redis" || url.scheme == "rediss", let host = url.host, !host.isEmpty else {
            throw InvalidURL(expected: "redis://host:port[/database] or rediss://")
        }
        let path = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else { throw InvalidURL(expected: "a database number after the slash") }
        let user = url.user(percentEncoded: false)
        self.init(
            host: host,
            port: url.port ?? 6379,
            username: user.flatMap { $0.isEmpty ? nil : $0 },
            password: url.password(percentEncoded: false),
            database: database,
            tls: url.scheme == "rediss"
                ? TLS(authorityFile: URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "ssl_ca_certs" }?.value) : nil
        )
    }
}
