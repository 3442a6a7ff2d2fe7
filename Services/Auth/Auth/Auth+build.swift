import AsyncHTTPClient
import Hummingbird
import Imaging
import Logging
import PostgresNIO
import ServiceKit

/// Builds the Auth service: accounts, sessions, recovery, 2FA, API keys, admin routes, the JWKS, and the
/// internal routes other services call. `clock` is the system's except in tests.
public func buildApplication(configuration: ServiceConfiguration, clock: WallClock = .system) async throws -> some ApplicationProtocol {
    let settings = try AuthSettings(configuration)
    let runtime = try await ServiceRuntime<PostgresAndRedis>(
        configuration: configuration, migrations: AuthMigrations.all, retention: retentionRules(settings))
    let cipher = try DataCipher(settings: configuration.settings, environment: configuration.environment)
    let auth = AuthService(runtime: runtime, settings: settings, cipher: cipher, clock: clock)
    let router = runtime.makeRouter(openAPI: AuthAPI.document)
    // Auth verifies tokens with its own key ring, not over HTTP with itself. An admin without a second factor must
    // reach the routes that turn it on; Auth's admin routes check it themselves.
    let authenticator = runtime.tokenAuthenticator(keys: { try await auth.keys.publicKeys() }, adminsNeedSecondFactor: false)
    router.add(middleware: AuthenticationMiddleware(authenticator: authenticator))
    KeyRoutes(keys: auth.keys).addRoutes(to: router)
    AccountRoutes(auth: auth).addRoutes(to: router)
    RecoveryRoutes(auth: auth).addRoutes(to: router)
    TwoFactorRoutes(auth: auth).addRoutes(to: router)
    APIKeyRoutes(auth: auth).addRoutes(to: router)
    ProfileRoutes(auth: auth).addRoutes(to: router)
    EmailRoutes(auth: auth).addRoutes(to: router)
    DeletionRoutes(auth: auth).addRoutes(to: router)
    ExportRoutes(auth: auth).addRoutes(to: router)
    AvatarRoutes(auth: auth).addRoutes(to: router)
    AdminRoutes(auth: auth).addRoutes(to: router)
    SocialRoutes(
        auth: auth,
        providers: Dictionary(uniqueKeysWithValues: settings.oauthProviders.map { ($0.kind.rawValue, $0) }),
        client: OAuthClient(http: .mayaGo, logger: runtime.logger)
    ).addRoutes(to: router)
    InternalRoutes(auth: auth).addRoutes(to: runtime.internalRoutes(of: router))
    let resealing = PeriodicJob(Resealing(keys: auth.keys, users: auth.users, logger: runtime.logger), every: .seconds(600), isMigrated: { runtime.isMigrated })
    let erasures = PeriodicJob(AccountErasures(auth: auth), every: settings.erasureInterval, isMigrated: { runtime.isMigrated })
    let exports = PeriodicJob(ExportJobs(auth: auth), every: settings.exportInterval, isMigrated: { runtime.isMigrated })
    let avatars = PeriodicJob(AvatarJob(auth: auth), every: .milliseconds(250), isMigrated: { runtime.isMigrated })
    return runtime.makeApplication(router: router, services: [auth.revocations, resealing, erasures, exports, avatars])
}

/// When Auth's rows go once they can no longer serve: spent and expired tokens, and sign-in failures that no
/// throttle would still count.
func retentionRules(_ settings: AuthSettings) -> [Retention.Rule] {
    [Sessions.retention, OneTimeTokens.retention, LoginAttempts.retention(settings.throttles)]
}

/// `auth rotate-signing-key`: makes a new signing key current; the old one stays published until the tokens it
/// signed have expired. Returns the new key id.
public func rotateSigningKey(configuration: ServiceConfiguration) async throws -> String {
    let settings = try AuthSettings(configuration)
    let logger = Logger(label: "auth")
    let postgres = PostgresClient(
        configuration: try .init(url: configuration.databaseURL, schema: configuration.databaseSchema, poolSize: 1), backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { await postgres.run() }
        defer { tasks.cancelAll() }
        _ = try await Migrator(schema: configuration.databaseSchema, migrations: PostgresStore.sharedMigrations + AuthMigrations.all).migrate(
            postgres, logger: logger)
        let cipher = try DataCipher(settings: configuration.settings, environment: configuration.environment)
        let keys = KeyRing(
            postgres: postgres, cipher: cipher, logger: logger, clock: .system, tokenLifetime: settings.accessTokenLifetime,
            reloadInterval: settings.signingKeyReload)
        return try await keys.rotate()
    }
}

extension AuthService {
    init(runtime: ServiceRuntime<PostgresAndRedis>, settings: AuthSettings, cipher: DataCipher, clock: WallClock) {
        let postgres = runtime.postgres
        let logger = runtime.logger
        let keys = KeyRing(
            postgres: postgres, cipher: cipher, logger: logger, clock: clock, tokenLifetime: settings.accessTokenLifetime,
            reloadInterval: settings.signingKeyReload)
        let revocations = Revocations(postgres: postgres, redis: runtime.redis, logger: logger, clock: clock, isMigrated: { runtime.isMigrated })
        self.init(
            postgres: postgres,
            logger: logger,
            clock: clock,
            settings: settings,
            passwords: Passwords(cost: settings.bcryptCost),
            users: Users(postgres: postgres, cipher: cipher, logger: logger),
            profiles: Profiles(postgres: postgres, logger: logger),
            sessions: Sessions(
                keys: keys,
                revocations: revocations,
                clock: clock,
                issuer: runtime.configuration.tokenIssuer,
                audience: runtime.configuration.tokenAudience,
                accessLifetime: settings.accessTokenLifetime,
                refreshLifetime: settings.refreshTokenLifetime,
                logger: logger
            ),
            keys: keys,
            revocations: revocations,
            attempts: LoginAttempts(postgres: postgres, logger: logger),
            oneTimeTokens: OneTimeTokens(logger: logger),
            apiKeys: APIKeys(postgres: postgres, logger: logger),
            recoveryCodes: RecoveryCodes(logger: logger),
            audit: AuditLog(postgres: postgres, logger: logger, clock: clock),
            oauthStates: OAuthStates(postgres: postgres, logger: logger),
            identityLinks: IdentityLinks(logger: logger),
            outbox: runtime.outbox,
            deletions: AccountDeletions(postgres: postgres, logger: logger),
            exports: DataExports(postgres: postgres, logger: logger),
            avatars: Avatars(postgres: postgres, logger: logger),
            images: ImageProcessor(),
            internalClient: runtime.internalClient
        )
    }
}
