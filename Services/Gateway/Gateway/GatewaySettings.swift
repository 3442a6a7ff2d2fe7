import Foundation
import NIOSSL
import ServiceKit

/// The gateway's own settings.
///
/// | variable | default |
/// |---|---|
/// | `UPSTREAM_TIMEOUT_MS` | `30000`: how long an instance may take to start answering |
/// | `UPSTREAM_EJECT_AFTER`, `UPSTREAM_EJECT_MS` | `3` failed connections in a row eject an instance for `10000` ms |
/// | `UPSTREAM_HEALTH_INTERVAL_MS`, `UPSTREAM_HEALTH_TIMEOUT_MS` | `2000`, `1000`: active `/health` checks |
/// | `CLIENT_IDLE_TIMEOUT_MS` | `75000`: a client connection without a request under way is closed after this |
/// | `CORS_ALLOWED_ORIGINS` | none: a comma-separated list of origins allowed to call the API from a browser |
/// | `TRUSTED_PROXIES` | none: addresses or CIDR blocks whose `X-Forwarded-For` is believed |
/// | `BEHIND_TLS` | `false`: clients come over TLS through a proxy in front, so answers carry HSTS |
/// | `TLS_CERT_FILE`, `TLS_KEY_FILE` | none: PEM files of a certificate chain and its key, and the gateway speaks TLS itself (HTTP/2 or HTTP/1.1 by ALPN) |
/// | `RATE_LIMIT_ANONYMOUS`, `RATE_LIMIT_USER`, `RATE_LIMIT_SENSITIVE` | `100/15m`, `1000/1h`, `10/15m` |
/// | `GZIP_MIN_BYTES` | `1024`: smaller bodies are sent as they are |
/// | `GZIP_LEVEL` | `4`: zlib's level, 1 (fastest) to 9 (smallest) |
/// | `WEB_ROOT` | `Web`: the web app's folder, served at `/` (nothing is served there when it is missing) |
/// | `WEB_STRIPE_JS` | `false`: the web app may load Stripe.js (with Payment's `stripe` provider), which its policy then allows |
/// | `ADMIN_HOST`, `ADMIN_PORT` | `127.0.0.1`, `9080`: the operators' port, with `/metrics` and `/ready`'s details (the public port has neither) |
struct GatewaySettings: Sendable {
    var proxy = Proxy.Configuration()
    var healthCheckInterval: Duration
    var healthCheckTimeout: Duration
    var allowedOrigins: Set<String>
    var trustedProxies: [IPRange]
    var behindTLS: Bool
    /// The gateway's own TLS, when it terminates it.
    var tls: TLSConfiguration?
    var rateLimits: RateLimitPolicy
    var gzipMinimumSize: Int
    var gzipLevel: Int32
    var adminHost: String
    var adminPort: Int
    var webRoot: URL
    var webAllowsStripeJS: Bool

    init(_ settings: Settings) throws {
        proxy.timeout = try settings.milliseconds("upstream.timeout.ms", default: .seconds(30))
        proxy.ejectAfter = try settings.int("upstream.eject.after", default: 3, in: 1...1000)
        proxy.ejectionCoolDown = try settings.milliseconds("upstream.eject.ms", default: .seconds(10))
        proxy.clientIdleTimeout = try settings.milliseconds("client.idle.timeout.ms", default: .seconds(75))
        healthCheckInterval = try settings.milliseconds("upstream.health.interval.ms", default: .seconds(2))
        healthCheckTimeout = try settings.milliseconds("upstream.health.timeout.ms", default: .seconds(1))
        allowedOrigins = Set(settings.list("cors.allowed.origins"))
        trustedProxies = try settings.list("trusted.proxies").map { text in
            guard let range = IPRange(text) else {
                throw ConfigurationError(variable: "TRUSTED_PROXIES", expected: "IP addresses or CIDR blocks", value: text)
            }
            return range
        }
        tls = try Self.tls(certificate: settings.optionalString("tls.cert.file"), key: settings.optionalString("tls.key.file"))
        behindTLS = try settings.bool("behind.tls", default: false) || tls != nil
        rateLimits = try RateLimitPolicy(settings: settings)
        gzipMinimumSize = try settings.int("gzip.min.bytes", default: 1024, in: 0...(1 << 30))
        gzipLevel = Int32(try settings.int("gzip.level", default: 4, in: 1...9))
        adminHost = settings.string("admin.host", default: "127.0.0.1")
        adminPort = try settings.int("admin.port", default: 9080, in: 0...65535)
        webRoot = URL(fileURLWithPath: settings.string("web.root", default: "Web"))
        webAllowsStripeJS = try settings.bool("web.stripe.js", default: false)
    }

    /// TLS 1.2 and up with the certificate chain and key in those PEM files: both or neither.
    private static func tls(certificate: String?, key: String?) throws -> TLSConfiguration? {
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?):
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
                return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw ConfigurationError(variable: "TLS_CERT_FILE", expected: "PEM files of a certificate chain and its private key", value: certificate)
            }
        default:
            throw ConfigurationError(
                variable: certificate == nil ? "TLS_CERT_FILE" : "TLS_KEY_FILE", expected: "set with the other of TLS_CERT_FILE and TLS_KEY_FILE", value: nil)
        }
    }
}
