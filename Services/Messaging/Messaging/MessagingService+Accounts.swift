import Contracts
import Foundation
import Logging
import ServiceKit

/// A person's account, as Messaging sees it: erased when the grace period is over, exported when they ask.
extension MessagingService {
    /// Erases what Messaging holds of a person whose account is gone: the bodies of the messages they sent, and their
    /// files (the bytes too, unless someone else uploaded the same). Once more does nothing more.
    func erase(_ erasure: AccountErasure) async throws {
        try await messages.erase(sentBy: erasure.userId)
        for sha256 in try await attachments.forgetAll(of: erasure.userId) { try await files.delete(sha256) }
    }

    /// The person's conversations with every message in them (they are a party of each), and their uploads.
    func export(_ userID: UUID) async throws -> AccountExport {
        AccountExport(service: .messaging, records: try await accounts.records(of: userID))
    }
}
