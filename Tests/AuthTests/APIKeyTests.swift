import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Auth

@Suite struct APIKeyTests {
    struct Created: Decodable {
        var id: UUID
        var name: String
        var prefix: String
        var scopes: [APIKeyScope]
        var key: String
    }

    struct Listed: Codable {
        var id: UUID
        var name: String
        var revokedAt: Date?
        var key: String?
    }

    @Test func keysAreShownOnceIntrospectedRotatedAndRevoked() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register(role: .provider)
            let created = try await auth.send(
                .post, "/api/v1/auth/api-keys", ["name": "Channel manager", "scopes": ["read", "write"]], token: session.accessToken)
            #expect(created.status == .created)
            let key = try created.decode(Created.self)
            #expect(key.key.hasPrefix("mgk_\(key.prefix)_"))
            #expect(key.scopes == [.read, .write])

            let listed = try await auth.send(.get, "/api/v1/auth/api-keys", token: session.accessToken).decode(Page<Listed>.self)
            #expect(listed.items.map(\.id) == [key.id])
            #expect(listed.items.first?.key == nil)

            // The gateway swaps the key for a short-lived access token of its owner.
            let introspected = try await auth.sendInternal(.post, APIKeyIntrospection.Request.path, ["key": key.key])
            #expect(introspected.status == .ok)
            let answer = try introspected.decode(APIKeyIntrospection.self)
            #expect(answer.userId == session.user.id)
            #expect(answer.role == .provider)
            #expect(answer.scopes == [.read, .write])
            #expect(try await auth.send(.get, "/api/v1/auth/me", token: answer.accessToken).status == .ok)
            // Only services may ask.
            #expect(try await auth.send(.post, APIKeyIntrospection.Request.path, ["key": key.key], token: session.accessToken).status == .notFound)

            let rotated = try await auth.send(.post, "/api/v1/auth/api-keys/\(key.id)/rotate", token: session.accessToken)
            #expect(rotated.status == .created)
            let replacement = try rotated.decode(Created.self)
            #expect(replacement.name == "Channel manager")
            #expect(try await auth.sendInternal(.post, APIKeyIntrospection.Request.path, ["key": key.key]).status == .notFound)
            #expect(try await auth.sendInternal(.post, APIKeyIntrospection.Request.path, ["key": replacement.key]).status == .ok)

            let stranger = try await auth.register()
            #expect(try await auth.send(.delete, "/api/v1/auth/api-keys/\(replacement.id)", token: stranger.accessToken).status == .notFound)
            #expect(try await auth.send(.delete, "/api/v1/auth/api-keys/\(replacement.id)", token: session.accessToken).status == .noContent)
            #expect(try await auth.sendInternal(.post, APIKeyIntrospection.Request.path, ["key": replacement.key]).status == .notFound)
        }
    }

    @Test func badKeyRequestsNameTheField() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register()
            let noScopes = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": "x", "scopes": [String]()], token: session.accessToken)
            #expect(noScopes.problem?.errors?.map(\.field) == ["scopes"])
            let badScope = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": "x", "scopes": ["admin"]], token: session.accessToken)
            #expect(badScope.status == .badRequest)
            #expect(badScope.problem?.errors?.first?.field == "scopes[0]")
            #expect(try await auth.send(.delete, "/api/v1/auth/api-keys/not-a-uuid", token: session.accessToken).status == .badRequest)
        }
    }

    struct Introspected: Decodable {
        var accessToken: String
    }

    /// A key works for its owner's data, within limits: a user has at most `API_KEYS_MAX` live keys, a key cannot
    /// make or rotate keys, and no key carries an admin's power.
    @Test func keysAreLimitedAndCannotMakeKeysOrActAsAnAdmin() async throws {
        try await AuthHarness.run(["API_KEYS_MAX": "2"]) { auth in
            let session = try await auth.register(role: .provider)
            var keys: [Created] = []
            for name in ["one", "two"] {
                let created = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": name, "scopes": ["read", "write"]], token: session.accessToken)
                keys.append(try created.decode(Created.self))
            }
            let third = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": "three", "scopes": ["read"]], token: session.accessToken)
            #expect(third.status == .conflict)
            #expect(third.problem?.code == "quota_exceeded")
            #expect(third.problem?.detail?.contains("At most 2") == true)

            // The token the gateway gets for a key cannot make or rotate keys.
            let viaKey = try await auth.sendInternal(.post, APIKeyIntrospection.Request.path, ["key": keys[0].key]).decode(Introspected.self).accessToken
            #expect(try await auth.send(.delete, "/api/v1/auth/api-keys/\(keys[1].id)", token: session.accessToken).status == .noContent)
            let made = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": "sneaky", "scopes": ["read"]], token: viaKey)
            #expect(made.status == .forbidden)
            #expect(made.problem?.code == "session_required")
            #expect(try await auth.send(.post, "/api/v1/auth/api-keys/\(keys[0].id)/rotate", token: viaKey).status == .forbidden)

            // An admin's session makes no keys, and a key whose owner became an admin stops working.
            try await auth.makeAdmin(session.user.id)
            let admin = try await auth.login(session.user.email).decode(Session.self)
            let refused = try await auth.send(.post, "/api/v1/auth/api-keys", ["name": "root", "scopes": ["read"]], token: admin.accessToken)
            #expect(refused.status == .forbidden)
            #expect(refused.problem?.code == "admin_needs_session")
            #expect(try await auth.sendInternal(.post, APIKeyIntrospection.Request.path, ["key": keys[0].key]).status == .notFound)
        }
    }
}
