import Contracts
import Foundation
import Hummingbird

/// A time an experience takes place, with its seats.
struct Slot: ResponseCodable, Sendable, Equatable {
    enum Status: String, Codable, Sendable {
        case open, cancelled
    }

    var id: UUID
    var experienceId: UUID
    var startsAt: Date
    var endsAt: Date
    var capacity: Int
    var remaining: Int
    var status: Status
    var version: Int64

    /// Seats taken by bookings that hold them.
    var sold: Int { capacity - remaining }

    /// The slot with `capacity` seats and those sold kept; `nil` when that is fewer than are sold.
    func resized(to capacity: Int) -> Slot? {
        guard capacity >= sold else { return nil }
        var resized = self
        resized.remaining = capacity - sold
        resized.capacity = capacity
        return resized
    }

    var feedSnapshot: SearchFeedEvent.Slot {
        SearchFeedEvent.Slot(id: id, experienceId: experienceId, startsAt: startsAt, capacity: capacity, remaining: remaining, status: status.rawValue)
    }
}
