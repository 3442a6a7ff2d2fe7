import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Auth

/// The admin role needs a second factor, and what admins do elsewhere reaches the audit log.
@Suite struct AdminSecondFactorTests {
    @Test func anAdminWithoutASecondFactorCanOnlyTurnItOn() async throws {
        try await AuthHarness.run { auth in
            let session = try await auth.register(name: "New Admin")
            try await auth.makeAdmin(session.user.id)
            let withoutCode = try await auth.login(session.user.email).decode(Session.self)
            let refused = try await auth.send(.get, "/api/v1/auth/admin/users", token: withoutCode.accessToken)
            #expect(refused.status == .forbidden)
            #expect(refused.problem?.code == "two_factor_required")
            // Refreshing does not add what the sign-in lacked.
            let refreshed = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": withoutCode.refreshToken]).decode(Session.self)
            #expect(try await auth.send(.get, "/api/v1/auth/admin/users", token: refreshed.accessToken).problem?.code == "two_factor_required")

            // Turning it on is open to them; then a sign-in with a code makes a full admin, refreshes included.
            let enrolment = try await auth.send(.post, "/api/v1/auth/2fa/enroll", token: refreshed.accessToken).decode(TwoFactorTests.Enrolment.self)
            let now = Date()
            let confirmed = try await auth.send(
                .post, "/api/v1/auth/2fa/confirm", ["code": TwoFactorTests.code(enrolment.secret, at: now)], token: refreshed.accessToken)
            #expect(confirmed.status == .ok)
            #expect(try await auth.send(.get, "/api/v1/auth/admin/users", token: refreshed.accessToken).status == .forbidden)
            let withCode = try await auth.login(session.user.email, totpCode: TwoFactorTests.code(enrolment.secret, at: now.addingTimeInterval(30)))
                .decode(Session.self)
            #expect(try await auth.send(.get, "/api/v1/auth/admin/users", token: withCode.accessToken).status == .ok)
            let again = try await auth.send(.post, "/api/v1/auth/refresh", ["refreshToken": withCode.refreshToken]).decode(Session.self)
            #expect(try await auth.send(.get, "/api/v1/auth/admin/users", token: again.accessToken).status == .ok)
        }
    }

    @Test func anotherServicesAdminActionIsAuditedOnce() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let payment = await ServiceCredential(service: .payment, secret: auth.serviceSecret)
            let message = UUID().uuidString
            let body: [String: any Sendable] = [
                "adminId": admin.user.id.uuidString, "action": "payment_refunded", "subject": "9f1c", "detail": "500.00 MXN: goodwill",
                "address": "198.51.100.9", "occurredAt": "2026-12-03T10:00:00Z",
            ]
            for _ in 0..<2 {
                let sent = try await auth.send(
                    .post, AdminAction.path, body, token: try await payment.token(for: .auth), headers: [.outboxMessageID: message])
                #expect(sent.status == .noContent, "\(sent.text)")
            }
            let search = await ServiceCredential(service: .search, secret: auth.serviceSecret)
            #expect(try await auth.send(.post, AdminAction.path, body, token: try await search.token(for: .auth)).status == .forbidden)
            let log = try await auth.send(.get, "/api/v1/auth/admin/audit?userId=\(admin.user.id)", token: admin.accessToken)
            #expect(log.status == .ok, "\(log.text)")
            let actions = try log.decode(Page<AuditLog.Event>.self).items.filter { $0.type == .adminAction }
            #expect(actions.count == 1)
            #expect(actions.first?.detail == "payment_refunded 9f1c: 500.00 MXN: goodwill")
            #expect(actions.first?.ip == "198.51.100.9")
        }
    }
}
