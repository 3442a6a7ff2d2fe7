import Contracts
import Foundation
import HTTPTypes
import Logging
import NIOHTTP1
import ServiceKit

/// What Messaging asks other services when a conversation opens: Booking for an experience's provider and a
/// booking's traveler, Auth for the members' names. `nil` for what the owner does not know; a peer that does not
/// answer is a 503, and the client may try again.
struct Directory: Sendable {
    let client: InternalClient
    let logger: Logger

    func experience(_ id: UUID) async throws -> ExperienceParties? {
        try await lookUp(ExperienceParties.self, at: ExperienceParties.path(id), from: .booking)
    }

    func booking(_ id: UUID) async throws -> BookingParties? {
        try await lookUp(BookingParties.self, at: BookingParties.path(id), from: .booking)
    }

    /// The user's name as Auth has it.
    func name(of user: UUID) async throws -> String? {
        try await lookUp(UserContact.self, at: UserContact.path(user), from: .auth)?.name
    }

    private func lookUp<Value: Decodable>(_ type: Value.Type, at path: String, from peer: ServiceName) async throws -> Value? {
        do {
            return try await client.call(.GET, to: peer, path: path, requestID: nil, logger: logger, as: type)
        } catch let error as InternalClient.UnexpectedStatus where error.status == 404 {
            return nil
        } catch {
            logger.warning("Peer did not answer", metadata: ["peer": "\(peer.rawValue)", "path": "\(path)", "error": "\(error)"])
            throw Problem(.serviceUnavailable, detail: "\(peer.rawValue.capitalized) is not answering; try again shortly.", headers: [.retryAfter: "5"])
        }
    }
}
