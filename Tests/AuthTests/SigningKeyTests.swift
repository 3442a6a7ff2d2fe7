import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import TestSupport
import Testing

@testable import Auth

@Suite(.serialized) struct SigningKeyTests {
    @Test func rotationKeepsOldTokensValidUntilTheyExpire() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let before = try await auth.send(.get, "/.well-known/jwks.json").decode(JWKS.self)
            let oldKid = try #require(AccessTokenVerifierHeader.kid(of: admin.accessToken))
            #expect(before.keys.contains { $0.keyIdentifier?.string == oldKid })

            let rotation = try await auth.send(.post, "/api/v1/auth/admin/signing-keys/rotate", token: admin.accessToken)
            #expect(rotation.status == .ok)
            let after = try await auth.send(.get, "/.well-known/jwks.json").decode(JWKS.self)
            let kids = Set(after.keys.compactMap { $0.keyIdentifier?.string })
            #expect(kids.contains(oldKid))
            #expect(kids.count >= 2)

            // The old token still works; new tokens name the new key.
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: admin.accessToken).status == .ok)
            let fresh = try await auth.register()
            #expect(AccessTokenVerifierHeader.kid(of: fresh.accessToken) != oldKid)

            // Once every token the old key signed has expired, it leaves the JWKS.
            auth.clock.advance(by: 900 + 60 + 60 + 1)
            let later = try await auth.send(.get, "/.well-known/jwks.json").decode(JWKS.self)
            #expect(!later.keys.contains { $0.keyIdentifier?.string == oldKid })
        }
    }
}

/// Reads the `kid` of a token's header.
enum AccessTokenVerifierHeader {
    static func kid(of token: String) -> String? {
        struct Header: Decodable { var kid: String? }
        guard let part = token.split(separator: ".").first else { return nil }
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).flatMap { try? JSONDecoder().decode(Header.self, from: $0) }?.kid
    }
}
