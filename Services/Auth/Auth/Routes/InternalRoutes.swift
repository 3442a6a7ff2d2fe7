import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What other services ask Auth: a user's contact (Notify), and who an API key belongs to (the gateway).
struct InternalRoutes {
    let auth: AuthService
    /// The lifetime of the access token handed for an API key; the gateway caches it for less.
    static let apiKeyTokenLifetime: TimeInterval = 300

    func addRoutes(to routes: InternalRouter) {
        routes.get(UserContact.self, from: .messaging, .notify, use: contact)
        routes.post(APIKeyIntrospection.Request.self, from: .gateway, use: introspect)
    }

    @Sendable func contact(_ request: Request, context: ServiceRequestContext) async throws -> UserContact {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let user = try await auth.users.find(id: id) else { throw Problem.notFound() }
        return user.contact
    }

    /// 404 for a key that is unknown or revoked, or whose owner is disabled or an admin (keys never carry that power).
    @Sendable func introspect(_ request: Request, context: ServiceRequestContext) async throws -> APIKeyIntrospection {
        let body = try await request.decode(as: APIKeyIntrospection.Request.self, context: context)
        guard body.key.hasPrefix("mgk_"), body.key.utf8.count <= 200,
              let (userID, scopes) = try await auth.apiKeys.use(body.key, at: auth.clock.now()),
              let user = try await auth.users.find(id: userID), !user.disabled, user.role != .admin
        else { throw Problem.notFound("No such API key.") }
        let access = try await auth.sessions.accessToken(userID: user.id, role: user.role, lifetime: Self.apiKeyTokenLifetime, methods: [AccessClaims.apiKeyMethod])
        return APIKeyIntrospection(userId: user.id, role: user.role, scopes: scopes, accessToken: access.token, expiresIn: Int(Self.apiKeyTokenLifetime))
    }
}
