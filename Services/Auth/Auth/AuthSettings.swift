import Foundation
import ServiceKit

/// Auth's own settings.
///
/// | variable | default |
/// |---|---|
/// | `BCRYPT_COST` | `12` (at least 10 in production) |
/// | `ACCESS_TOKEN_TTL_SECONDS`, `REFRESH_TOKEN_TTL_SECONDS` | `900`, `604800` |
/// | `LOGIN_MAX_FAILURES`, `LOGIN_WINDOW_SECONDS` | `5` failures within `900` s lock an account for the address they came from |
/// | `LOGIN_ACCOUNT_MAX_FAILURES` | `50`: failures from all addresses lock the account for the addresses that failed on it |
/// | `LOGIN_LOCKOUT_SECONDS`, `LOGIN_LOCKOUT_MAX_SECONDS` | the first lockout lasts `60` s, each next twice as long, up to `3600` |
/// | `LOGIN_IP_MAX_FAILURES` | `30`: failures from one address within the window lock that address |
/// | `EMAIL_TOKEN_TTL_SECONDS`, `RESET_TOKEN_TTL_SECONDS` | `86400`, `3600` |
/// | `PUBLIC_URL` | `http://localhost:8080`: where the links in mails point |
/// | `SIGNING_KEY_RELOAD_SECONDS` | `60`: how often an instance looks for a rotated signing key |
/// | `OAUTH_GOOGLE_CLIENT_ID`, `OAUTH_GOOGLE_CLIENT_SECRET` | none: set both to offer sign-in with Google (`…_AUTHORIZE_URL`, `…_TOKEN_URL`, `…_USERINFO_URL` override the endpoints) |
/// | `OAUTH_FACEBOOK_CLIENT_ID`, `OAUTH_FACEBOOK_CLIENT_SECRET` | the same for Facebook |
/// | `API_KEYS_MAX` | `20`: live API keys per user |
/// | `ACCOUNT_DELETION_GRACE_HOURS` | `336` (14 days): how long a deleted account can still be restored by signing in |
/// | `ACCOUNT_ERASURE_INTERVAL_MS` | `60000`: how often accounts past their grace period are looked for |
/// | `DATA_EXPORT_INTERVAL_MS` | `1000`: how often data exports asked for are looked for |
/// | `OBJECT_STORE_PATH` | `run/objects`: the folder data exports are kept in when no `S3_BUCKET` is set (see `Settings.objectStore`) |
struct AuthSettings: Sendable {
    var bcryptCost: UInt8
    var accessTokenLifetime: TimeInterval
    var refreshTokenLifetime: TimeInterval
    var accountThrottle: LoginThrottle
    var addressThrottle: LoginThrottle
    var accountWideThrottle: LoginThrottle
    var emailTokenLifetime: TimeInterval
    var resetTokenLifetime: TimeInterval
    var publicURL: URL
    var signingKeyReload: Duration
    var oauthProviders: [OAuthProvider]
    var maximumAPIKeys: Int
    var deletionGrace: TimeInterval
    var erasureInterval: Duration
    var exportInterval: Duration
    var objects: any ObjectStore

    init(_ configuration: ServiceConfiguration) throws {
        let settings = configuration.settings
        let minimumCost = configuration.environment == .production ? 10 : 4
        bcryptCost = UInt8(try settings.int("bcrypt.cost", default: 12, in: minimumCost...31))
        accessTokenLifetime = TimeInterval(try settings.int("access.token.ttl.seconds", default: 900, in: 30...86_400))
        refreshTokenLifetime = TimeInterval(try settings.int("refresh.token.ttl.seconds", default: 7 * 86_400, in: 60...(365 * 86_400)))
        let window = TimeInterval(try settings.int("login.window.seconds", default: 900, in: 1...86_400))
        let firstLockout = TimeInterval(try settings.int("login.lockout.seconds", default: 60, in: 1...86_400))
        let longestLockout = TimeInterval(try settings.int("login.lockout.max.seconds", default: 3600, in: 1...(30 * 86_400)))
        accountThrottle = LoginThrottle(
            maximumFailures: try settings.int("login.max.failures", default: 5, in: 1...1000),
            window: window,
            firstLockout: firstLockout,
            longestLockout: longestLockout
        )
        addressThrottle = LoginThrottle(
            maximumFailures: try settings.int("login.ip.max.failures", default: 30, in: 1...100_000),
            window: window,
            firstLockout: firstLockout,
            longestLockout: longestLockout
        )
        accountWideThrottle = LoginThrottle(
            maximumFailures: try settings.int("login.account.max.failures", default: 50, in: 1...100_000),
            window: window,
            firstLockout: firstLockout,
            longestLockout: longestLockout
        )
        emailTokenLifetime = TimeInterval(try settings.int("email.token.ttl.seconds", default: 86_400, in: 60...(30 * 86_400)))
        resetTokenLifetime = TimeInterval(try settings.int("reset.token.ttl.seconds", default: 3600, in: 60...86_400))
        publicURL = try settings.url("public.url", default: "http://localhost:8080", schemes: ["http", "https"])
        signingKeyReload = .seconds(try settings.int("signing.key.reload.seconds", default: 60, in: 1...3600))
        oauthProviders = try OAuthProvider.configured(settings)
        maximumAPIKeys = try settings.int("api.keys.max", default: 20, in: 1...1000)
        deletionGrace = TimeInterval(try settings.int("account.deletion.grace.hours", default: 336, in: 0...(90 * 24)) * 3600)
        erasureInterval = try settings.milliseconds("account.erasure.interval.ms", default: .seconds(60))
        exportInterval = try settings.milliseconds("data.export.interval.ms", default: .seconds(1))
        objects = try settings.objectStore(folder: settings.string("object.store.path", default: "run/objects"), prefix: "auth")
    }

    var throttles: [LoginThrottle] { [accountThrottle, addressThrottle, accountWideThrottle] }
}
