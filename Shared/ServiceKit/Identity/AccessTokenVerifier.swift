import AsyncHTTPClient
import Foundation
import HTTPTypes
import JWTKit
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Verifies access tokens against Auth's published keys (JWKS): signature, expiry and not-before with a small
/// leeway, issuer and audience. Keys are fetched when first needed and again when a token names a key id that
/// is not known yet (a rotation), but never more often than `minimumRefreshInterval`.
public actor AccessTokenVerifier {
    /// Where the public keys come from: Auth's JWKS over HTTP for every other service, Auth's own key ring for Auth.
    public typealias KeySource = @Sendable () async throws -> JWKS

    public struct Configuration: Sendable {
        public var issuer: String
        public var audience: String
        public var leeway: TimeInterval = 30
        public var minimumRefreshInterval: Duration = .seconds(5)

        public init(issuer: String, audience: String) {
            self.issuer = issuer
            self.audience = audience
        }
    }

    /// Why a token was refused; the message is safe to show the client.
    public struct Rejection: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }

        /// The token is on the deny-list (its holder logged out, or it was revoked).
        public static let revoked = Rejection(description: "The token has been revoked.")
    }

    /// Auth's keys could not be fetched, so the token could not be checked: a 503 to retry, not a 401, which a
    /// client would take for a bad token and sign its user out over an outage.
    public struct KeysUnavailable: ProblemConvertible {
        public var problem: Problem {
            Problem(.serviceUnavailable, detail: "Access tokens cannot be checked right now; try again shortly.", headers: [.retryAfter: "5"])
        }
    }

    /// The JWKS route answered, but not with the keys (``fetch()`` makes it ``KeysUnavailable``): not the token's fault.
    struct JWKSRefused: Error, CustomStringConvertible {
        let status: UInt
        var description: String { "JWKS answered \(status)" }
    }

    private let configuration: Configuration
    private let source: KeySource
    private let logger: Logger
    private var keys: JWTKeyCollection?
    /// The key ids of `keys`. JWTKit falls back to a default key for an unknown `kid`; a token must name one of
    /// these instead.
    private var keyIDs: Set<String> = []
    private var lastRefresh: ContinuousClock.Instant?
    private var inFlight: Task<Void, any Error>?
    /// Tokens whose signature was checked already: a client sends the same token for its whole lifetime, and the
    /// signature check is the costliest step of a request. Claims are checked again on every use.
    private nonisolated let verified = NIOLockedValueBox(BoundedCache<String, AccessClaims>(limit: verifiedCacheSize))
    static let verifiedCacheSize = 10_000

    public init(configuration: Configuration, keys source: @escaping KeySource, logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.logger = logger
    }

    /// Keys from the JWKS document at `url`.
    public static func jwks(at url: URL, http: HTTPClient = .mayaGo, logger: Logger) -> KeySource {
        {
            let response = try await http.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(3), logger: logger)
            guard response.status == .ok else { throw JWKSRefused(status: response.status.code) }
            return try JSONDecoder().decode(JWKS.self, from: try await response.body.collect(upTo: 1 << 20))
        }
    }

    /// The claims of `token` if it is valid now; a ``Rejection`` if not, ``KeysUnavailable`` if it cannot be told.
    public nonisolated func verify(_ token: String, now: Date = .now) async throws -> AccessClaims {
        if let claims = verified.withLockedValue({ $0[token] }) {
            return try current(claims, now: now)
        }
        let claims = try current(try await verifySignature(token), now: now)
        verified.withLockedValue { $0[token] = claims }
        return claims
    }

    private func verifySignature(_ token: String) async throws -> AccessClaims {
        guard let keyID = Self.keyID(of: token) else {
            throw Rejection(description: "The token is malformed or its signature is invalid.")
        }
        var keys = try await currentKeys()
        if !keyIDs.contains(keyID) {
            // A key rotated in since the last fetch, perhaps.
            try await refresh()
            guard keyIDs.contains(keyID), let refreshed = self.keys else {
                throw Rejection(description: "The token was signed by an unknown key.")
            }
            keys = refreshed
        }
        do {
            return try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw Rejection(description: "The token is malformed or its signature is invalid.")
        }
    }

    /// `claims` if they hold at `now`: for claims verified earlier, which expire.
    public nonisolated func current(_ claims: AccessClaims, now: Date = .now) throws -> AccessClaims {
        guard claims.exp.value.addingTimeInterval(configuration.leeway) > now else {
            throw Rejection(description: "The token has expired.")
        }
        if let nbf = claims.nbf, nbf.value.addingTimeInterval(-configuration.leeway) > now {
            throw Rejection(description: "The token is not valid yet.")
        }
        guard claims.iss.value == configuration.issuer else { throw Rejection(description: "The token has another issuer.") }
        guard claims.aud.value.contains(configuration.audience) else { throw Rejection(description: "The token is for another audience.") }
        return claims
    }

    /// Ready once the keys are at hand: a new instance fetches them before it takes traffic, so that its first
    /// requests neither wait for the fetch nor fail with it.
    public nonisolated var readiness: ReadinessCheck {
        ReadinessCheck(name: "signing keys") { _ = try await self.currentKeys() }
    }

    /// The `kid` of the token's header, read before anything is trusted.
    static func keyID(of token: String) -> String? {
        struct Header: Decodable { var kid: String? }
        guard let encoded = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONDecoder().decode(Header.self, from: data))?.kid
    }

    private func currentKeys() async throws -> JWTKeyCollection {
        if let keys { return keys }
        try await refresh()
        guard let keys else { throw KeysUnavailable() }
        return keys
    }

    /// Fetches the key set unless that was done less than `minimumRefreshInterval` ago. Callers that arrive while
    /// a fetch is under way wait for that one (a burst of first requests must not fail for want of keys).
    private func refresh() async throws {
        if let inFlight { return try await inFlight.value }
        if let lastRefresh, ContinuousClock.now - lastRefresh < configuration.minimumRefreshInterval { return }
        lastRefresh = .now
        let fetch = Task { try await self.fetch() }
        inFlight = fetch
        defer { inFlight = nil }
        try await fetch.value
    }

    private func fetch() async throws {
        do {
            let jwks = try await source()
            keys = try await JWTKeyCollection().add(jwks: jwks)
            keyIDs = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        } catch {
            logger.warning("Cannot fetch signing keys", metadata: ["error": "\(error)"])
            throw KeysUnavailable()
        }
    }
}
