import Contracts
import Foundation
import JWTKit
import NIOConcurrencyHelpers

/// The claims of a service credential: a short-lived HS256 JWT that proves the caller (`sub`) is one of the suite's
/// services, so that a leaked user token cannot reach an internal route, and names the one service it is for
/// (`aud`), so that a credential sent to one service cannot be replayed to another.
struct ServiceClaims: JWTPayload {
    var sub: SubjectClaim
    var role: String
    var aud: AudienceClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) throws {
        try exp.verifyNotExpired()
        guard role == Role.service.rawValue else {
            throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not a service credential")
        }
    }
}

/// Signs this service's credentials (one per target, cached until a minute before they expire) and verifies those
/// of callers.
public actor ServiceCredential {
    private let service: ServiceName
    private let keys: JWTKeyCollection
    private var cached: [ServiceName: (token: String, renewAfter: Date)] = [:]
    /// Callers' credentials whose signature was checked already, with who sent them and until when they hold: a
    /// caller sends the same one for minutes, and checking it on every internal request (an actor hop, an HMAC and
    /// its claims decoded) was a tenth of Search's work while its feed loaded.
    private nonisolated let verified = NIOLockedValueBox(BoundedCache<String, (caller: ServiceName, expires: Date)>(limit: verifiedCacheSize))
    static let lifetime: TimeInterval = 300
    static let verifiedCacheSize = 1_000

    public init(service: ServiceName, secret: String) async {
        self.service = service
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
    }

    /// A bearer token for calls to `target`.
    public func token(for target: ServiceName) async throws -> String {
        if let cached = cached[target], cached.renewAfter > .now { return cached.token }
        let now = Date.now
        let claims = ServiceClaims(
            sub: .init(value: service.rawValue),
            role: Role.service.rawValue,
            aud: .init(value: [target.rawValue]),
            iat: .init(value: now),
            exp: .init(value: now.addingTimeInterval(Self.lifetime))
        )
        let token = try await keys.sign(claims)
        cached[target] = (token, now.addingTimeInterval(Self.lifetime - 60))
        return token
    }

    /// The calling service, if `token` is a valid service credential made for this service, at `now`.
    public nonisolated func verify(_ token: String, now: Date = .now) async -> ServiceName? {
        if let known = verified.withLockedValue({ $0[token] }) { return known.expires > now ? known.caller : nil }
        guard let claims = try? await keys.verify(token, as: ServiceClaims.self), claims.aud.value.contains(service.rawValue),
            let caller = ServiceName(rawValue: claims.sub.value), claims.exp.value > now
        else { return nil }
        verified.withLockedValue { $0[token] = (caller, claims.exp.value) }
        return caller
    }
}
