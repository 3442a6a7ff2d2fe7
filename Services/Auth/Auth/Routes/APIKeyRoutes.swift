import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The caller's API keys: create (the key is shown once), list, revoke, rotate. A key acts as its owner for their
/// own data only: an admin's session is not given to keys (admin actions need a person signed in), and a key
/// cannot make or rotate keys, so a leaked one cannot outlive its revocation.
struct APIKeyRoutes {
    let auth: AuthService

    struct Creation: Decodable {
        var name: String
        var scopes: [APIKeyScope]
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth/api-keys")
        group.post(use: create)
        group.get(use: list)
        group.delete(":id", use: revoke)
        group.post(":id/rotate", use: rotate)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        try Self.requireSession(context)
        guard user.role != .admin else {
            throw Problem(.forbidden, detail: "API keys cannot carry an admin's power: admin actions need a session.", code: "admin_needs_session")
        }
        let body = try await request.decode(as: Creation.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        var validator = Validator()
        validator.check((1...100).contains(name.count), "name", "must be 1 to 100 characters")
        validator.check(!body.scopes.isEmpty, "scopes", "must name at least one of read, write")
        try validator.validate()
        let created = try await auth.createAPIKey(for: user, name: name, scopes: body.scopes, client: ClientInfo(request, context: context))
        return try .json(created, status: .created)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<APIKeys.Key> {
        Page(items: try await auth.apiKeys(of: try await auth.currentUser(context)), nextCursor: nil)
    }

    @Sendable func revoke(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        let id = try context.parameters.require("id", as: UUID.self)
        try await auth.revokeAPIKey(id, of: user, client: ClientInfo(request, context: context))
        return Response(status: .noContent)
    }

    /// A new key with the same name and scopes; the old one stops working.
    @Sendable func rotate(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        try Self.requireSession(context)
        let id = try context.parameters.require("id", as: UUID.self)
        return try .json(try await auth.rotateAPIKey(id, of: user, client: ClientInfo(request, context: context)), status: .created)
    }

    /// 403 when the caller came with an API key rather than a session.
    private static func requireSession(_ context: ServiceRequestContext) throws {
        if context.claims?.isFromAPIKey == true {
            throw Problem(.forbidden, detail: "An API key cannot create or rotate keys: sign in.", code: "session_required")
        }
    }
}
