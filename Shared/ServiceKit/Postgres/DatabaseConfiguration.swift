import Foundation
import NIOSSL
import PostgresNIO

extension PostgresClient.Configuration {
    /// A pool configuration from a `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` URL, with the
    /// service's schema first on the search path so that its SQL needs no schema names. PostgreSQL lists its
    /// connections as `mayago-<schema>` and `<application name>` after it when given (`reads`, say).
    public init(url: URL, schema: String, poolSize: Int, applicationName: String? = nil, variable: String = "DATABASE_URL") throws {
        guard let host = url.host, !host.isEmpty else {
            throw ConfigurationError(variable: variable, expected: "a host", value: nil)
        }
        let database = url.path.split(separator: "/").first.map(String.init)
        let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        let tls: TLS
        do {
            tls = try Self.tls(
                mode: query.first { $0.name == "sslmode" }?.value ?? "disable", rootCertificate: query.first { $0.name == "sslrootcert" }?.value)
        } catch {
            throw ConfigurationError(
                variable: variable, expected: "sslmode disable, prefer, require, verify-ca or verify-full, and a readable sslrootcert", value: nil)
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

    /// TLS as libpq's `sslmode` means it: `prefer` and `require` encrypt without checking whom they talk to (unless
    /// `sslrootcert` is given, when `require` checks the chain, as libpq does); `verify-ca` checks the chain,
    /// `verify-full` the chain and the host name. `sslrootcert` is a PEM file of the authorities to trust, else the
    /// system's.
    static func tls(mode: String, rootCertificate: String?) throws -> TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate, rootCertificate != "system" {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificate))
        }
        switch mode {
        case "disable":
            return .disable
        case "allow", "prefer":
            configuration.certificateVerification = .none
            return .prefer(configuration)
        case "require":
            configuration.certificateVerification = rootCertificate == nil ? .none : .noHostnameVerification
            return .require(configuration)
        case "verify-ca":
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case "verify-full":
            configuration.certificateVerification = .fullVerification
            return .require(configuration)
        default:
            throw ConfigurationError(variable: "sslmode", expected: "a libpq sslmode", value: mode)
        }
    }
}
