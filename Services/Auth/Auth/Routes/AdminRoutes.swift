import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What admins do: list users, change a role, disable or enable an account, read the audit log, rotate the
/// signing key.
struct AdminRoutes {
    let auth: AuthService

    struct UserChange: Decodable {
        var role: Role?
        var disabled: Bool?
    }

    /// A user as admins see them: with whether the account is disabled.
    struct AdminUser: ResponseCodable {
        var id: UUID
        var email: String
        var name: String
        var role: Role
        var emailVerified: Bool
        var twoFactorEnabled: Bool
        var disabled: Bool
        var createdAt: Date

        init(_ record: UserRecord) {
            id = record.id
            email = record.email
            name = record.name
            role = record.role
            emailVerified = record.emailVerified
            twoFactorEnabled = record.totpEnabled
            disabled = record.disabled
            createdAt = record.createdAt
        }
    }

    struct Rotation: ResponseCodable {
        var kid: String
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth/admin")
        group.get("users", use: listUsers)
        group.patch("users/:id", use: changeUser)
        group.get("audit", use: auditEvents)
        group.post("signing-keys/rotate", use: rotateSigningKey)
    }

    @Sendable func listUsers(_ request: Request, context: ServiceRequestContext) async throws -> Page<AdminUser> {
        try await requireAdmin(context)
        let query = request.uri.queryParameters
        let limit = try Self.limit(query.get("limit"))
        let users = try await auth.users(emailContaining: query.get("email"), after: query.get("cursor"), limit: limit)
        return Page(items: users.map(AdminUser.init), nextCursor: users.count == limit ? users.last?.email : nil)
    }

    @Sendable func changeUser(_ request: Request, context: ServiceRequestContext) async throws -> AdminUser {
        let admin = try await requireAdmin(context)
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: UserChange.self, context: context)
        var validator = Validator()
        validator.check(body.role != .service, "role", "must be traveler, provider or admin")
        validator.check(body.role != nil || body.disabled != nil, "role", "give a role or disabled to change")
        validator.rule(id != admin.id || (body.disabled != true && body.role.map { $0 == .admin } ?? true), "id", "admins cannot disable or demote themselves")
        try validator.validate()
        let changed = try await auth.changeUser(id, role: body.role, disabled: body.disabled, by: admin, client: ClientInfo(request, context: context))
        return AdminUser(changed)
    }

    @Sendable func auditEvents(_ request: Request, context: ServiceRequestContext) async throws -> Page<AuditLog.Event> {
        try await requireAdmin(context)
        let query = request.uri.queryParameters
        let limit = try Self.limit(query.get("limit"))
        let userID = try query.get("userId").map { text in
            guard let id = UUID(uuidString: text) else { throw Problem.invalid("userId", "must be a UUID") }
            return id
        }
        let cursor = try query.get("cursor").map { text in
            guard let id = Int64(text) else { throw Problem.refused("cursor", "must be a cursor from a previous page") }
            return id
        }
        let events = try await auth.auditEvents(of: userID, before: cursor, limit: limit)
        return Page(items: events, nextCursor: events.count == limit ? events.last.map { String($0.id) } : nil)
    }

    @Sendable func rotateSigningKey(_ request: Request, context: ServiceRequestContext) async throws -> Rotation {
        let admin = try await requireAdmin(context)
        return Rotation(kid: try await auth.rotateSigningKey(by: admin, client: ClientInfo(request, context: context)))
    }

    @discardableResult
    private func requireAdmin(_ context: ServiceRequestContext) async throws -> UserRecord {
        let user = try await auth.currentUser(context)
        guard user.role == .admin else { throw Problem.forbidden("Only admins may do this.") }
        guard context.claims?.hasSecondFactor == true else { throw SecondFactorRequired() }
        return user
    }

    static func limit(_ text: String?) throws -> Int {
        try PageLimit.parse(text, default: 50, maximum: 200)
    }
}
