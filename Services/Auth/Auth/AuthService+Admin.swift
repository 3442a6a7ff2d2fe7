import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// What admins do to accounts, and what they read.
extension AuthService {
    /// Users whose email holds `email`, in email order after `cursor`.
    func users(emailContaining email: String?, after cursor: String?, limit: Int) async throws -> [UserRecord] {
        try await users.list(emailContaining: email, after: cursor, limit: limit)
    }

    /// `admin` changes user `id`'s role and/or disables or enables the account; either ends the user's sessions
    /// (tokens carry the role), and each change is audited with who made it.
    func changeUser(_ id: UUID, role: Role?, disabled: Bool?, by admin: UserRecord, client: ClientInfo) async throws -> UserRecord {
        let now = clock.now()
        return try await transaction { connection in
            guard let user = try await users.find(id: id, on: connection, forUpdate: true) else { throw Problem.notFound() }
            if let role, role != user.role {
                try await users.setRole(role, of: id, at: now, on: connection)
                try await sessions.revokeAll(of: id, on: connection)
                try await audit.record(
                    .roleChanged, userID: id, client: client, detail: "\(user.role.rawValue) -> \(role.rawValue) by \(admin.id.lowercasedString)",
                    on: connection)
            }
            if let disabled, disabled != user.disabled {
                try await users.setDisabled(disabled, of: id, at: now, on: connection)
                if disabled { try await sessions.revokeAll(of: id, on: connection) }
                try await audit.record(
                    disabled ? .accountDisabled : .accountEnabled, userID: id, client: client, detail: "by \(admin.id.lowercasedString)", on: connection)
            }
            guard let updated = try await users.find(id: id, on: connection) else { throw Problem.notFound() }
            return updated
        }
    }

    /// Records what an admin did in another service, once per outbox message `message`.
    func record(_ action: AdminAction, from service: String, message: UUID?) async throws {
        try await transaction { connection in
            if let message, try await !Outbox.receive(message, on: connection, logger: logger) { return }
            try await audit.record(
                .adminAction, userID: action.adminId, client: ClientInfo(address: action.address, userAgent: service),
                detail: "\(action.action) \(action.subject): \(action.detail)", on: connection)
        }
    }

    /// The audit log, newest first, of one user or everyone.
    func auditEvents(of userID: UUID?, before cursor: Int64?, limit: Int) async throws -> [AuditLog.Event] {
        try await audit.events(userID: userID, before: cursor, limit: limit)
    }

    /// `admin` makes a new signing key current; returns its key id.
    func rotateSigningKey(by admin: UserRecord, client: ClientInfo) async throws -> String {
        let kid = try await keys.rotate()
        try await audit.record(.signingKeyRotated, userID: admin.id, client: client, detail: kid)
        return kid
    }
}
