import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What other services ask Auth: a user's contact, or several users' at once (Notify), who an API key belongs to (the
/// gateway), a provider's public profile (Booking), and what admins did elsewhere for the audit log (Payment).
struct InternalRoutes {
    let auth: AuthService
    /// The lifetime of the access token handed for an API key; the gateway caches it for less.
    static let apiKeyTokenLifetime: TimeInterval = 300

    func addRoutes(to routes: InternalRouter) {
        routes.get(UserContact.self, from: .messaging, .notify, use: contact)
        routes.post(UserContacts.Request.self, from: .messaging, .notify, use: contacts)
        routes.post(APIKeyIntrospection.Request.self, from: .gateway, use: introspect)
        routes.get(ProviderProfile.self, from: .booking, use: profile)
        routes.post(AdminAction.self, from: .payment, use: recordAdminAction)
    }

    @Sendable func recordAdminAction(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let action = try await request.decode(as: AdminAction.self, context: context)
        try await auth.record(action, from: "payment", message: request.headers[.outboxMessageID].flatMap(UUID.init(uuidString:)))
        return Response(status: .noContent)
    }

    @Sendable func profile(_ request: Request, context: ServiceRequestContext) async throws -> ProviderProfile {
        try await auth.publicProfile(of: try context.parameters.require("id", as: UUID.self))
    }

    @Sendable func contact(_ request: Request, context: ServiceRequestContext) async throws -> UserContact {
        try await auth.contact(of: try context.parameters.require("id", as: UUID.self))
    }

    @Sendable func contacts(_ request: Request, context: ServiceRequestContext) async throws -> UserContacts {
        let body = try await request.decode(as: UserContacts.Request.self, context: context)
        guard body.ids.count <= UserContacts.Request.maximumIDs else {
            throw Problem.invalid("ids", "must name at most \(UserContacts.Request.maximumIDs) users")
        }
        return try await auth.contacts(of: body.ids)
    }

    @Sendable func introspect(_ request: Request, context: ServiceRequestContext) async throws -> APIKeyIntrospection {
        let body = try await request.decode(as: APIKeyIntrospection.Request.self, context: context)
        return try await auth.introspect(body.key, tokenLifetime: Self.apiKeyTokenLifetime)
    }
}
