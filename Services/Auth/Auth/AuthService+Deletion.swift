import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// Deleting one's account: every session ends at once, the account can be restored by signing in during the grace
/// period, and then the person is erased here and, through the outbox, in every service that holds something of them.
extension AuthService {
    /// Deletes the caller's account after the password proves them (when the account has one). Refused while they
    /// have bookings to come, as a traveler or on their experiences: those are settled first.
    func requestDeletion(of user: UserRecord, password: String?, client: ClientInfo) async throws -> Date {
        if user.passwordHash != nil {
            guard let password, try await passwords.verify(password, against: user.passwordHash) else {
                throw Problem.refused("password", "is incorrect")
            }
        }
        let commitments = try await internalClient.lookUpForClient(AccountCommitments.self, id: user.id, logger: logger)
        if let upcoming = commitments?.upcomingBookings, upcoming > 0 {
            throw Problem.conflict(
                "You have \(upcoming) booking(s) to come, as a traveler or on your experiences: cancel or complete them first.", code: "upcoming_bookings")
        }
        let now = clock.now()
        let due = now.addingTimeInterval(settings.deletionGrace)
        try await transaction { connection in
            try await deletions.schedule(user.id, at: now, dueAt: due, on: connection)
            try await sessions.revokeAll(of: user.id, on: connection)
            try await apiKeys.revokeAll(of: user.id, at: now, on: connection)
            try await audit.record(.accountDeletionRequested, userID: user.id, client: client, on: connection)
            try await notify(
                .accountDeletionScheduled, user, data: ["deletionDueAt": .string(ISO8601Format.string(due))],
                key: "account-deletion:\(user.id):\(now.timeIntervalSince1970)", on: connection)
        }
        return due
    }

    /// A sign-in during the grace period keeps the account: its deletion is forgotten.
    func keepAccount(of user: UserRecord, client: ClientInfo, on connection: PostgresConnection) async throws {
        if try await deletions.cancel(user.id, on: connection) {
            try await audit.record(.accountDeletionCancelled, userID: user.id, client: client, on: connection)
        }
    }

    /// Erases the next account past its grace period, if any; returns whether there was one. Auth's part and the
    /// messages to the other services commit together; the avatar's files go after.
    func eraseNextDueAccount() async throws -> Bool {
        let erased = try await transaction { connection -> UUID? in
            guard let userID = try await deletions.claimDue(at: clock.now(), on: connection),
                let user = try await users.find(id: userID, on: connection, forUpdate: true)
            else { return nil }
            try await deletions.erase(userID, at: clock.now(), on: connection)
            try await sessions.revokeAll(of: userID, on: connection)
            let erasure = AccountErasure(userId: userID, role: user.role)
            try await Outbox.enqueue(
                try AccountErasure.services.map { try OutboxMessage(erasure, to: $0, path: AccountErasure.path) }, on: connection, logger: logger)
            try await audit.record(
                .accountErased, userID: userID, client: ClientInfo(address: nil, userAgent: nil), detail: "grace period over", on: connection)
            return userID
        }
        guard let erased else { return false }
        try await removeAvatar(of: erased)
        return true
    }
}
