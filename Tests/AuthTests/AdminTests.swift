import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import Auth

@Suite struct AdminTests {
    struct AdminUser: Codable {
        var id: UUID
        var email: String
        var role: Role
        var disabled: Bool
    }

    struct Event: Codable {
        var type: String
        var userId: UUID?
        var ip: String?
    }

    @Test func onlyAdminsReachTheAdminRoutes() async throws {
        try await AuthHarness.run { auth in
            let provider = try await auth.register(role: .provider)
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/auth/admin/users"), (.get, "/api/v1/auth/admin/audit"), (.post, "/api/v1/auth/admin/signing-keys/rotate"),
            ] {
                #expect(try await auth.send(method, path, token: provider.accessToken).status == .forbidden)
                #expect(try await auth.send(method, path).status == .unauthorized)
            }
            // Not even on itself.
            let promote = try await auth.send(.patch, "/api/v1/auth/admin/users/\(provider.user.id)", ["role": "admin"], token: provider.accessToken)
            #expect(promote.status == .forbidden)
            let me = try await auth.send(.get, "/api/v1/auth/me", token: provider.accessToken)
            #expect(try me.decode(Session.User.self).role == .provider)
        }
    }

    @Test func adminsListUsersChangeRolesAndDisableAccounts() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let marker = UUID().uuidString.prefix(8).lowercased()
            let traveler = try await auth.register(email: "pat-\(marker)@example.com")

            let listed = try await auth.send(.get, "/api/v1/auth/admin/users?email=\(marker)", token: admin.accessToken)
            #expect(listed.status == .ok)
            #expect(try listed.decode(Page<AdminUser>.self).items.map(\.id) == [traveler.user.id])
            #expect(try await auth.send(.get, "/api/v1/auth/admin/users?limit=0", token: admin.accessToken).status == .badRequest)

            let promoted = try await auth.send(.patch, "/api/v1/auth/admin/users/\(traveler.user.id)", ["role": "provider"], token: admin.accessToken)
            #expect(promoted.status == .ok)
            #expect(try promoted.decode(AdminUser.self).role == .provider)
            // Tokens carry the role, so the old session ends and a new sign-in carries the new role.
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": traveler.refreshToken]).status == .unauthorized)
            let relogin = try await auth.login(traveler.user.email).decode(Session.self)
            #expect(relogin.user.role == .provider)

            let disabled = try await auth.send(.patch, "/api/v1/auth/admin/users/\(traveler.user.id)", ["disabled": true], token: admin.accessToken)
            #expect(try disabled.decode(AdminUser.self).disabled)
            #expect(try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": relogin.refreshToken]).status == .unauthorized)
            let cut = try await eventually {
                try await auth.send(.get, "/api/v1/auth/me", token: relogin.accessToken).status == .unauthorized
            }
            #expect(cut)
            let login = try await auth.login(traveler.user.email)
            #expect(login.status == .forbidden)
            #expect(login.problem?.code == "account_disabled")

            _ = try await auth.send(.patch, "/api/v1/auth/admin/users/\(traveler.user.id)", ["disabled": false], token: admin.accessToken)
            #expect(try await auth.login(traveler.user.email).status == .ok)

            let selfDemotion = try await auth.send(.patch, "/api/v1/auth/admin/users/\(admin.user.id)", ["role": "traveler"], token: admin.accessToken)
            #expect(selfDemotion.status == .unprocessableContent)
            #expect(try await auth.send(.patch, "/api/v1/auth/admin/users/\(UUID())", ["disabled": true], token: admin.accessToken).status == .notFound)
            #expect(
                try await auth.send(.patch, "/api/v1/auth/admin/users/\(traveler.user.id)", ["role": "service"], token: admin.accessToken).status == .badRequest
            )

            let audit = try await auth.send(.get, "/api/v1/auth/admin/audit?userId=\(traveler.user.id)", token: admin.accessToken)
            let types = try audit.decode(Page<Event>.self).items.map(\.type)
            for expected in ["registered", "role_changed", "account_disabled", "account_enabled", "login_succeeded"] {
                #expect(types.contains(expected), "\(types)")
            }
            #expect(try audit.decode(Page<Event>.self).items.contains { $0.ip == auth.address })
        }
    }
}
