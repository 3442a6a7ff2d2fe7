import Contracts
import Crypto
import Foundation
import JWTKit

/// An Ed25519 key that signs access tokens, with the id (`kid`) that tokens name and the JWKS publishes.
public struct SigningKey: Sendable {
    public let id: String
    let privateKey: Curve25519.Signing.PrivateKey

    public init(id: String, rawPrivateKey: some ContiguousBytes) throws {
        self.id = id
        privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: rawPrivateKey)
    }

    public static func generate(id: String = UUID.random().lowercasedString) -> SigningKey {
        SigningKey(id: id, privateKey: Curve25519.Signing.PrivateKey())
    }

    private init(id: String, privateKey: Curve25519.Signing.PrivateKey) {
        self.id = id
        self.privateKey = privateKey
    }

    /// The private key's 32 bytes, for storing it.
    public var rawPrivateKey: Data { privateKey.rawRepresentation }

    /// The public half as a JWK (`kty: OKP`, `crv: Ed25519`).
    public var publicJWK: JWK {
        .octetKeyPair(.eddsa, identifier: JWKIdentifier(string: id), x: privateKey.publicKey.rawRepresentation.base64URLEncoded, y: nil, curve: .ed25519)
    }

    /// Signs `claims` as an EdDSA JWT whose header names this key.
    public func sign(_ claims: AccessClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: privateKey), kid: JWKIdentifier(string: id))
        return try await keys.sign(claims, kid: JWKIdentifier(string: id))
    }
}

extension Data {
    /// Base64url without padding (RFC 7515 §2).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
