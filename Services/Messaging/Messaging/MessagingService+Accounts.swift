import Contracts
import Foundation
import Logging
import ServiceKit

extension MessagingService {
    /// Erases what Messaging holds of a person whose account is gone: the bodies of the messages they sent, and their
    /// files (the bytes too, unless someone else uploaded the same). Once more does nothing more.
    func erase(_ erasure: AccountErasure) async throws {
        try await messages.erase(sentBy: erasure.userId)
        for sha256 in try await attachments.forgetAll(of: erasure.userId) { try await files.delete(sha256) }
    }
}
