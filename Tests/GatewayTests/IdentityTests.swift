import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Redis
import ServiceKit
import TestSupport
import Testing

@Suite struct IdentityTests {
    let tokens = GatewayHarness.tokens

    @Test func aVerifiedTokenIsForwardedAsIdentityAndForgedHeadersNeverReachUpstream() async throws {
        let user = UUID()
        let token = try await tokens.token(for: user, role: .provider)
        try await GatewayHarness.withGateway { client in
            let forged: HTTPFields = [HTTPField.Name("X-User-Id")!: "someone-else", HTTPField.Name("X-User-Role")!: "admin"]
            try await client.execute(uri: "/api/v1/experiences", method: .get, headers: forged) { response in
                let echo = try response.decode(Echo.self)
                #expect(echo.headers["x-user-id"] == nil)
                #expect(echo.headers["x-user-role"] == nil)
            }
            var signedIn = forged
            signedIn[.authorization] = "Bearer \(token)"
            try await client.execute(uri: "/api/v1/bookings", method: .get, headers: signedIn) { response in
                #expect(response.status == .accepted)
                let echo = try response.decode(Echo.self)
                #expect(echo.headers["x-user-id"] == user.uuidString.lowercased())
                #expect(echo.headers["x-user-role"] == "provider")
                #expect(echo.headers["authorization"] == "Bearer \(token)")
            }
        }
    }

    @Test func anAPIKeyIsSwappedForItsOwnersAccessTokenWithinItsScopes() async throws {
        try await GatewayHarness.withGateway { client in
            let before = GatewayHarness.introspections.withLockedValue { $0 }
            for _ in 0..<3 {
                try await client.execute(uri: "/api/v1/bookings", method: .get, headers: [.authorization: "ApiKey mgk_reader"]) { response in
                    #expect(response.status == .accepted)
                    let echo = try response.decode(Echo.self)
                    #expect(echo.headers["x-user-id"] == GatewayHarness.apiKeyOwner.uuidString.lowercased())
                    #expect(echo.headers["x-user-role"] == "provider")
                    // The service gets an access token, never the key.
                    #expect(echo.headers["authorization"]?.hasPrefix("Bearer ey") == true)
                }
            }
            // Asked once, then cached.
            #expect(GatewayHarness.introspections.withLockedValue { $0 } - before == 1)

            try await client.execute(uri: "/api/v1/bookings", method: .post, headers: [.authorization: "ApiKey mgk_reader"], body: ByteBuffer(string: "{}")) {
                response in
                #expect(response.status == .forbidden)
                #expect(response.problem?.detail == "This API key may only read.")
            }
            try await client.execute(uri: "/api/v1/bookings", method: .post, headers: [.authorization: "ApiKey mgk_writer"], body: ByteBuffer(string: "{}")) {
                response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/bookings", method: .get, headers: [.authorization: "ApiKey mgk_revoked"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.problem?.detail == "The API key is invalid or revoked.")
            }
        }
    }

    @Test func protectedRoutesRefuseMissingAndBadTokens() async throws {
        let foreignKey = SigningKey.generate()
        let cases: [(String?, String)] = [
            (nil, "Sign in: this needs an access token."),
            ("not.a.token", "The token is malformed or its signature is invalid."),
            (try await tokens.token(signedWith: foreignKey), "The token was signed by an unknown key."),
            (try await tokens.token(expiresIn: -120), "The token has expired."),
            (try await tokens.token(audience: "someone-else"), "The token is for another audience."),
            (try await tokens.token(issuer: "evil"), "The token has another issuer."),
        ]
        try await GatewayHarness.withGateway { client in
            for (token, reason) in cases {
                let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
                try await client.execute(uri: "/api/v1/bookings", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    #expect(response.problem?.detail == reason)
                }
            }
            // Public routes stay open without a token.
            try await client.execute(uri: "/api/v1/search?q=tulum", method: .get) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test func aRevokedTokenOnAPublicRouteCountsAsAnonymous() async throws {
        let id = UUID().uuidString
        let token = try await tokens.token(id: id)
        try await GatewayHarness.redis.send("SET", RedisArgument(RevokedTokens.key(jti: id)), "1", "EX", 60)
        try await GatewayHarness.withGateway(["RATE_LIMIT_ANONYMOUS": "77/15m", "RATE_LIMIT_USER": "999/1h"]) { client in
            try await client.execute(uri: "/api/v1/experiences", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .accepted)
                #expect(response.headers[HTTPField.Name("RateLimit-Limit")!] == "77")
                let echo = try response.decode(Echo.self)
                #expect(echo.headers["x-user-id"] == nil)
            }
        }
    }

    @Test func aRevokedTokenIsRefused() async throws {
        let id = UUID().uuidString
        let token = try await tokens.token(id: id)
        let redis = GatewayHarness.redis
        try await GatewayHarness.withGateway { client in
            try await client.execute(uri: "/api/v1/bookings", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .accepted)
            }
            try await redis.send("SET", RedisArgument(RevokedTokens.key(jti: id)), "1", "EX", 60)
            try await client.execute(uri: "/api/v1/bookings", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.problem?.detail == "The token has been revoked.")
            }
        }
    }

    /// While Auth's keys cannot be fetched a good token is not a bad one: a 503 to retry, which does not sign the
    /// client out as a 401 would, and nothing goes upstream.
    @Test func aTokenThatCannotBeCheckedForWantOfKeysIsA503() async throws {
        let token = try await tokens.token()
        let closed = try TestEnvironment.freePort()
        try await GatewayHarness.withGateway(["AUTH_URL": "http://127.0.0.1:\(closed)"]) { client in
            try await client.execute(uri: "/api/v1/bookings", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(response.problem?.detail == "Access tokens cannot be checked right now; try again shortly.")
            }
        }
    }
}
