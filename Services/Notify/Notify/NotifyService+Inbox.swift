import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// The caller's in-app inbox and push devices.
extension NotifyService {
    /// A page of the user's inbox, newest first, and how many of all their notices are unread.
    func inbox(of user: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> (items: [InboxEntry], unread: Int) {
        (try await inbox.page(of: user, before: cursor, limit: limit), try await inbox.unreadCount(of: user))
    }

    /// Marks one of the user's notices read; 404 for anyone else's.
    func markRead(_ id: UUID, of user: UUID) async throws -> InboxEntry {
        guard let entry = try await inbox.markRead(id, of: user, at: clock.now()) else { throw Problem.notFound("No such notification.") }
        return entry
    }

    /// Marks every notice of the user's read; how many were unread.
    func markAllRead(of user: UUID) async throws -> Int {
        try await inbox.markAllRead(of: user, at: clock.now())
    }

    /// Registers the user's push token; a 409 when another account has it (it is theirs until removed there or the
    /// push provider forgets it).
    func registerDevice(_ token: String, platform: Device.Platform, of user: UUID) async throws -> Device {
        guard let device = try await devices.register(token, platform: platform, of: user, at: clock.now()) else {
            throw Problem(
                .conflict, detail: "This push token belongs to another account: remove it there first.", code: "device_taken",
                errors: [FieldError(field: "token", message: "is registered to another account")])
        }
        return device
    }

    /// Removes one of the user's devices; 404 for anyone else's.
    func removeDevice(_ id: UUID, of user: UUID) async throws {
        guard try await devices.remove(id, of: user) else { throw Problem.notFound("No such device.") }
    }
}
