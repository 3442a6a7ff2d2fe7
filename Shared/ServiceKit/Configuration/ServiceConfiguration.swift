import Contracts
import Foundation
import Logging

/// The settings every service reads, each from an environment variable with a working local default.
///
/// | variable | default |
/// |---|---|
/// | `HTTP_HOST`, `HTTP_PORT` | `127.0.0.1`, the service's port (8080–8086) |
/// | `MAYAGO_ENV` | `development` |
/// | `LOG_LEVEL` | `info` |
/// | `DATABASE_URL` | `postgres://mayago@127.0.0.1:55432/mayago` (the `make run` instance) |
/// | `DATABASE_POOL_SIZE` | `10` |
/// | `DATABASE_READ_URL` | unset: reads that may lag (listings, history, Search's index) go to a streaming replica when set |
/// | `REDIS_URL` | `redis://127.0.0.1:56379` (the `make run` instance); `rediss://…[?ssl_ca_certs=<PEM file>]` for TLS |
/// | `SERVICE_SECRET` | a development secret; production refuses it and every other secret published in this repository |
/// | `AUTH_URL` … `NOTIFY_URL` | `http://127.0.0.1:<port>` of each peer; a comma-separated list for several instances |
/// | `JWT_ISSUER`, `JWT_AUDIENCE` | `mayago-auth`, `mayago` |
/// | `OTEL_EXPORTER_OTLP_ENDPOINT` (or `…_TRACES_ENDPOINT`) | unset: no traces; set, spans go there by OTLP/HTTP (the other `OTEL_*` variables apply) |
/// | `SHUTDOWN_TIMEOUT_MS` | `20000`: how long a graceful stop may take before the service's tasks are cancelled and it exits 1 (under Kubernetes' 30 s grace less the 5 s pre-stop pause) |
public struct ServiceConfiguration: Sendable {
    public static let developmentSecret = "mayago-development-service-secret-change-me"
    /// Service secrets written in this repository (the default, the compose demo's, an old example): anyone can
    /// read them, so production refuses them.
    public static let publishedSecrets: Set<String> = [
        developmentSecret, "mayago-demo-service-secret-not-for-production", "change-me-to-a-long-random-secret-of-your-own",
    ]

    public var service: ServiceName
    public var host: String
    public var port: Int
    public var environment: DeploymentEnvironment
    public var logLevel: Logger.Level
    public var databaseURL: URL
    public var databasePoolSize: Int
    /// A streaming replica of `databaseURL`, for the reads that may lag a moment behind the writes.
    public var databaseReadURL: URL?
    /// The PostgreSQL schema of the service's tables: its own name unless `DATABASE_SCHEMA` says otherwise (tests
    /// give each case a schema of its own).
    public var databaseSchema: String
    public var redisURL: URL
    /// The secret that signs and verifies service credentials on internal routes.
    public var serviceSecret: String
    /// The base URLs of every other service's instances.
    public var peers: [ServiceName: [URL]]
    /// Who signs access tokens and for whom.
    public var tokenIssuer: String
    public var tokenAudience: String
    /// The OpenTelemetry collector that takes the service's spans; `nil` when tracing is off.
    public var tracesEndpoint: URL?
    /// How long the requests, sockets and jobs in progress have to end after SIGTERM before they are cancelled.
    public var shutdownTimeout: Duration
    /// Everything else a service reads for itself.
    public var settings: Settings

    public init(service: ServiceName, settings: Settings) throws {
        self.service = service
        self.settings = settings
        host = settings.string("http.host", default: "127.0.0.1")
        port = try settings.int("http.port", default: service.defaultPort, in: 0...65535)
        environment = try settings.choice("mayago.env", default: DeploymentEnvironment.development)
        logLevel = try settings.choice("log.level", default: Logger.Level.info)
        databaseURL = try settings.url(
            "database.url",
            default: "postgres://mayago@127.0.0.1:55432/mayago",
            schemes: ["postgres", "postgresql"],
            isSecret: true
        )
        databasePoolSize = try settings.int("database.pool.size", default: 10, in: 1...500)
        databaseReadURL = try settings.optionalURL("database.read.url", schemes: ["postgres", "postgresql"], isSecret: true)
        databaseSchema = settings.string("database.schema", default: service.rawValue)
        guard databaseSchema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw ConfigurationError(variable: "DATABASE_SCHEMA", expected: "a lower-case SQL identifier", value: databaseSchema)
        }
        redisURL = try settings.url("redis.url", default: "redis://127.0.0.1:56379", schemes: ["redis", "rediss"], isSecret: true)
        serviceSecret = settings.string("service.secret", default: Self.developmentSecret, isSecret: true)
        guard serviceSecret.utf8.count >= 32 else {
            throw ConfigurationError(variable: "SERVICE_SECRET", expected: "at least 32 characters", value: nil)
        }
        if environment == .production, Self.publishedSecrets.contains(serviceSecret) {
            throw ConfigurationError(variable: "SERVICE_SECRET", expected: "a secret of your own in production", value: nil)
        }
        var peers: [ServiceName: [URL]] = [:]
        for peer in ServiceName.allCases where peer != .gateway {
            peers[peer] = try settings.urls(
                "\(peer.rawValue).url",
                default: "http://127.0.0.1:\(peer.defaultPort)",
                schemes: ["http", "https"]
            )
        }
        self.peers = peers
        shutdownTimeout = try settings.milliseconds("shutdown.timeout.ms", default: .seconds(20), in: 100...600_000)
        tokenIssuer = settings.string("jwt.issuer", default: "mayago-auth")
        tokenAudience = settings.string("jwt.audience", default: "mayago")
        tracesEndpoint =
            try settings.optionalURL("otel.exporter.otlp.traces.endpoint", schemes: ["http", "https"])
            ?? settings.optionalURL("otel.exporter.otlp.endpoint", schemes: ["http", "https"])
        if tracesEndpoint != nil {
            // Checked here, as swift-otel would stop the process on a protocol it was not built with.
            for key in ["otel.exporter.otlp.protocol", "otel.exporter.otlp.traces.protocol"] {
                _ = try settings.choice(key, default: TracesProtocol.protobuf)
            }
        }
    }

    /// The OTLP encodings the services are built with (OTLP/HTTP; not gRPC).
    enum TracesProtocol: String, CaseIterable {
        case protobuf = "http/protobuf"
        case json = "http/json"
    }

    /// Where Auth publishes the keys that verify access tokens.
    public var jwksURL: URL {
        peers[.auth]![0].appendingPathComponent(".well-known/jwks.json")
    }

    /// Reads the configuration of `service` from the process environment.
    public static func fromEnvironment(_ service: ServiceName) throws -> ServiceConfiguration {
        try ServiceConfiguration(service: service, settings: .environment())
    }
}
