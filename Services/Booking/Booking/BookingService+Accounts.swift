import Contracts
import Foundation
import Logging
import ServiceKit

/// A person's account, as Booking sees it: Auth asks what is still to come before it lets them delete it, tells
/// Booking when the grace period is over, and gathers what Booking holds for their data export.
extension BookingService {
    func commitments(of userID: UUID) async throws -> AccountCommitments {
        AccountCommitments(upcomingBookings: try await accounts.upcomingBookings(of: userID, after: clock.now()))
    }

    func export(_ userID: UUID) async throws -> AccountExport {
        AccountExport(service: .booking, records: try await accounts.records(of: userID))
    }

    /// Erases what Booking holds of the person: their experiences are archived (and Search told), their calendars
    /// and photos go. Once more does nothing more.
    func erase(_ erasure: AccountErasure) async throws {
        let photos = try await transaction { connection in
            let (archived, photos) = try await accounts.erase(erasure.userId, at: clock.now(), on: connection)
            for id in archived {
                if let experience = try await experiences.find(id, on: connection) { try await feed(experience, on: connection) }
            }
            return photos
        }
        for key in photos.flatMap(Photo.keys(ofPhoto:)) {
            do { try await objects.delete(key) } catch {
                logger.warning("An erased photo's file stays in the object store", metadata: ["key": "\(key)", "error": "\(error)"])
            }
        }
    }
}
