import AsyncHTTPClient
import Contracts
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// What every service stands on, assembled once: logger, the service credential, the internal client, the
/// middleware chain, the health routes and the stores its `Stores` type names (``ServiceStores``), whose handles
/// it reads as its own (`runtime.postgres`, `runtime.redis`). A service's `buildApplication` makes a runtime, adds
/// its routes to ``makeRouter()`` and returns ``makeApplication(router:services:)``.
@dynamicMemberLookup
public struct ServiceRuntime<Stores: ServiceStores>: Sendable {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let credential: ServiceCredential
    public let internalClient: InternalClient
    public let stores: Stores
    /// Answers the outbox batches of the service's internal routes.
    let outboxBatches = OutboxBatchRoute()

    /// - Parameters:
    ///   - configuration: the service's settings.
    ///   - migrations: what builds the service's schema (named by ``ServiceConfiguration/databaseSchema``), where
    ///     its stores include PostgreSQL.
    ///   - retention: when the rows of the service's own tables go (``Retention``), in the job that ages ServiceKit's.
    public init(configuration: ServiceConfiguration, migrations: [Migration] = [], retention: [Retention.Rule] = []) async throws {
        self.configuration = configuration
        var logger = Logger(label: configuration.service.rawValue)
        logger.logLevel = configuration.logLevel
        self.logger = logger
        ServiceMetrics.bootstrap()
        credential = await ServiceCredential(service: configuration.service, secret: configuration.serviceSecret)
        internalClient = InternalClient(peers: configuration.peers, credential: credential)
        stores = try Stores(configuration: configuration, migrations: migrations, retention: retention, client: internalClient, logger: logger)
    }

    /// The stores' handles: `runtime.postgres`, `runtime.outbox`, `runtime.redis`, as the service's stores have them.
    public subscript<Value>(dynamicMember keyPath: KeyPath<Stores, Value>) -> Value { stores[keyPath: keyPath] }

    /// The router with the suite's middleware (request id, a span per request when traced, access log, problem
    /// details, metrics, 422 for a query holding U+0000), `/health`, `/ready`, `/metrics` and, given one, the service's
    /// OpenAPI document at `/openapi.json` and 405 for the methods it does not declare. `edge` middleware (the
    /// gateway's headers and compression) goes between the access log and the problem details, so that it sees every
    /// answer, errors included. `readiness` adds the service's own checks to PostgreSQL's and Redis'.
    public func makeRouter(
        openAPI: String? = nil,
        edge: [any MiddlewareProtocol<Request, Response, ServiceRequestContext>] = [],
        readiness: [ReadinessCheck] = [],
        health: HealthRoutes.Exposure = .full
    ) -> ServiceRouter {
        let router = ServiceRouter()
        router.add(middleware: RequestIDMiddleware())
        if configuration.tracesEndpoint != nil {
            // A span per request, continuing the caller's trace (`traceparent`), named for the route's pattern.
            router.add(middleware: TracingMiddleware(recordingHeaders: [.requestID]))
        }
        router.add(middleware: ClientAddressMiddleware(seal: ClientAddressSeal(secret: configuration.serviceSecret)))
        router.add(middleware: AccessLogMiddleware())
        for middleware in edge {
            router.add(middleware: middleware)
        }
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: UnstorableQueryMiddleware())
        HealthRoutes(checks: readinessChecks + readiness, exposure: health).addRoutes(to: router)
        if let migrations = stores.schema {
            router.add(middleware: StartupMiddleware(migrations: migrations))
        }
        if let openAPI {
            let body = ByteBuffer(string: openAPI)
            router.get("openapi.json") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
            }
            if let undeclared = UndeclaredMethods(document: openAPI) { router.add(middleware: undeclared) }
        }
        return router
    }

    /// A second server on `host:port` for operators only: `/health`, `/ready` with every check and `/metrics`.
    public func makeAdminApplication(host: String, port: Int, readiness: [ReadinessCheck] = []) -> some Service {
        let router = ServiceRouter()
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ProblemMiddleware())
        HealthRoutes(checks: readinessChecks + readiness).addRoutes(to: router)
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }

    /// Whether the service's schema is migrated: background work on its tables waits for it.
    public var isMigrated: Bool {
        stores.schema?.isApplied ?? false
    }

    /// Verifies callers' access tokens with the keys from `keys`, by default Auth's JWKS, and with the deny-list
    /// when the service has Redis. Booking, Payment and Notify have no Redis and leave the deny-list to the gateway:
    /// they are reachable only through it (compose publishes no port of theirs; a cluster must let only the gateway
    /// in) and a revoked token would live at most its 15 minutes; an end-to-end test checks that a revoked token is
    /// refused at the gateway on their routes. Auth and Messaging, which have Redis, check it again.
    public func tokenAuthenticator(keys: AccessTokenVerifier.KeySource? = nil, adminsNeedSecondFactor: Bool = true) -> TokenAuthenticator {
        let verifier = AccessTokenVerifier(
            configuration: .init(issuer: configuration.tokenIssuer, audience: configuration.tokenAudience),
            keys: keys ?? AccessTokenVerifier.jwks(at: configuration.jwksURL, logger: logger),
            logger: logger
        )
        return TokenAuthenticator(verifier: verifier, redis: stores.denyList, logger: logger, adminsNeedSecondFactor: adminsNeedSecondFactor)
    }

    /// The `/internal/v1/...` routes: only the services each route names, with their credential, get in.
    public func internalRoutes(of router: ServiceRouter) -> InternalRouter {
        let routes = InternalRouter(group: router.group(RouterPath(internalRoot)), credential: credential)
        // Any service may send a batch: each message is then let in, or not, by its own route.
        let batches = outboxBatches
        routes.on(OutboxBatch.route, method: .post, callers: ServiceName.allCases) { request, context in
            try await batches.answer(request, context: context)
        }
        return routes
    }

    var readinessChecks: [ReadinessCheck] { stores.readinessChecks }

    /// The application: the server (plain HTTP/1.1 unless `server` says otherwise, as for WebSocket upgrades)
    /// plus every long-lived client as a service, the migrations, graceful shutdown on SIGTERM and SIGINT.
    public func makeApplication(router: ServiceRouter, server: HTTPServerBuilder = .http1(), services: [any Service] = []) -> some ApplicationProtocol {
        let responder = router.buildResponder()
        outboxBatches.replay(through: responder)
        return Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: stores.services + services,
            logger: logger
        )
    }
}
