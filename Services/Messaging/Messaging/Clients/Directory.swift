import Contracts
import Foundation
import Logging
import ServiceKit

/// What Messaging asks other services when a conversation opens: Booking for an experience's provider and a
/// booking's traveler, Auth for the members' names. `nil` for what the owner does not know; a peer that does not
/// answer is a 503, and the client may try again.
struct Directory: Sendable {
    let client: InternalClient
    let logger: Logger

    func experience(_ id: UUID) async throws -> ExperienceParties? {
        try await lookUp(ExperienceParties.self, id: id)
    }

    func booking(_ id: UUID) async throws -> BookingParties? {
        try await lookUp(BookingParties.self, id: id)
    }

    /// The user's name as Auth has it.
    func name(of user: UUID) async throws -> String? {
        try await lookUp(UserContact.self, id: user)?.name
    }

    private func lookUp<Record: InternalLookup>(_ type: Record.Type, id: UUID) async throws -> Record? {
        try await client.lookUpForClient(type, id: id, logger: logger)
    }
}
