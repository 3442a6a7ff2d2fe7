import Contracts
import Foundation
import JWTKit

/// The claims of an access token, as Auth signs them (EdDSA, 15 minutes) and everyone else verifies them.
public struct AccessClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var role: Role
    public var jti: IDClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    /// How the caller authenticated (RFC 8176 `amr`): ``apiKeyMethod`` for the tokens Auth hands for an API key.
    public var amr: [String]?

    /// The `amr` of a token handed for an API key.
    public static let apiKeyMethod = "api_key"
    /// The `amr` of a session whose user signs in with a one-time code besides the password.
    public static let secondFactorMethod = "otp"

    public init(userID: UUID, role: Role, id: String, issuedAt: Date, expiresAt: Date, issuer: String, audience: String) {
        sub = .init(value: userID.lowercasedString)
        self.role = role
        jti = .init(value: id)
        iat = .init(value: issuedAt)
        exp = .init(value: expiresAt)
        nbf = nil
        iss = .init(value: issuer)
        aud = .init(value: [audience])
        amr = nil
    }

    /// Times, issuer and audience are checked by ``AccessTokenVerifier``, which knows the leeway and the
    /// expected values; the signature has been checked before this is called.
    public func verify(using algorithm: some JWTAlgorithm) throws {}

    /// The token's id (`jti`), the key of the deny-list.
    public var tokenID: String { jti.value }

    public var expiresAt: Date { exp.value }

    /// Whether the session's user signs in with a second factor.
    public var hasSecondFactor: Bool { amr?.contains(Self.secondFactorMethod) == true }

    /// Whether the token stands for an API key rather than a person's session.
    public var isFromAPIKey: Bool { amr?.contains(Self.apiKeyMethod) == true }

    public var identity: Identity? {
        UUID(uuidString: sub.value).map { Identity(userID: $0, role: role) }
    }
}
