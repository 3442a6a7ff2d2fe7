import Contracts
import Foundation
import Logging
import ServiceKit

/// What Booking asks about a provider for their public page: Auth for the person, Messaging for how they answer.
struct ProviderDirectory: Sendable {
    let client: InternalClient
    let logger: Logger

    /// The provider's profile; `nil` if Auth knows no such provider. Auth not answering is a 503.
    func profile(of id: UUID) async throws -> ProviderProfile? {
        try await client.lookUpForClient(ProviderProfile.self, id: id, logger: logger)
    }

    /// How the provider answers messages; `nil` when Messaging does not answer, so the page shows without it.
    func responseStats(of id: UUID) async -> ResponseStats? {
        do {
            return try await client.lookUp(ResponseStats.self, id: id, logger: logger)
        } catch {
            // A page given up (no such provider, the caller gone) cancels the lookup: Messaging was not at fault.
            if !Task.isCancelled {
                logger.warning("Messaging did not answer", metadata: ["path": "\(ResponseStats.path(id))", "error": "\(error)"])
            }
            return nil
        }
    }
}
