import Foundation
import PostgresNIO

extension PostgresClient.Configuration {
    /// A pool configuration from a `postgres://user:password@host:port/database?sslmode=…` URL, with the
    /// service's schema first on the search path so that its SQL needs no schema names. PostgreSQL lists its
    /// connections as `mayago-<schema>` and `<application name>` after it when given (`reads`, say).
    public init(url: URL, schema: String, poolSize: Int, applicationName: String? = nil, variable: String = "DATABASE_URL") throws {
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError(variable: variable, expected: "a host", value: nil)
        }
        let database = url.path.split(separator: "/").first.map(String.init)
        let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        let sslMode = query.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default:
            throw ConfigurationError(variable: variable, expected: "sslmode disable, prefer or require", value: nil)
        }
        self.init(
            host: host,
            port: url.port ?? 5432,
            username: url.user(percentEncoded: false) ?? "postgres",
            password: url.password(percentEncoded: false),
            database: database,
            tls: tls
        )
        options.maximumConnections = poolSize
        options.connectTimeout = .seconds(3)
        // `public` second: PostgreSQL extensions (pg_trgm, unaccent, earthdistance) live there, once per database.
        // JIT compiling costs a search over many rows about 100 ms before it starts: more than it ever saves here.
        options.additionalStartupParameters = [
            ("search_path", "\(schema), public"), ("application_name", ["mayago-\(schema)", applicationName].compactMap { $0 }.joined(separator: "-")),
            ("jit", "off"),
        ]
    }
}
