import Contracts
import Foundation
import Hummingbird
import JWTKit
import NIOCore
import ServiceKit

/// Access tokens for tests, signed like Auth signs them, and a stand-in Auth route that publishes the key.
public struct TestTokens: Sendable {
    public let key: SigningKey
    public let issuer = "mayago-auth"
    public let audience = "mayago"

    public init(key: SigningKey = .generate()) {
        self.key = key
    }

    public func token(
        for userID: UUID = UUID(),
        role: Role = .traveler,
        id: String = UUID().uuidString,
        expiresIn lifetime: TimeInterval = 900,
        issuer: String? = nil,
        audience: String? = nil,
        signedWith signer: SigningKey? = nil,
        methods: [String]? = nil
    ) async throws -> String {
        let now = Date.now
        let claims = AccessClaims(
            userID: userID,
            role: role,
            id: id,
            issuedAt: now.addingTimeInterval(min(0, lifetime) - 60),
            expiresAt: now.addingTimeInterval(lifetime),
            issuer: issuer ?? self.issuer,
            audience: audience ?? self.audience
        )
        var signed = claims
        signed.amr = methods
        return try await (signer ?? key).sign(signed)
    }

    /// A user of a test: a fresh id and an access token for it.
    public struct User: Sendable {
        public let id: UUID
        public let token: String

        public init(id: UUID, token: String) {
            self.id = id
            self.token = token
        }
    }

    /// A user of `role`; an admin signed in with a second factor, as the admin role needs.
    public func user(_ role: Role) async throws -> User {
        let id = UUID()
        return User(id: id, token: try await token(for: id, role: role, methods: role == .admin ? [AccessClaims.secondFactorMethod] : nil))
    }

    /// Adds `GET /.well-known/jwks.json` publishing `key` to a stand-in router.
    public func publish(on router: Router<BasicRequestContext>) {
        let jwks = JWKS(keys: [key.publicJWK])
        router.get(".well-known/jwks.json") { _, _ in
            try Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: JSONEncoder().encode(jwks)))
            )
        }
    }
}
