import Contracts
import Foundation
import Hummingbird

/// A traveler's review of a completed booking, with the provider's reply.
struct Review: ResponseCodable, Sendable, Equatable {
    var id: UUID
    var bookingId: UUID
    var experienceId: UUID
    var travelerId: UUID
    var rating: Int
    var comment: String
    var reply: String?
    var repliedAt: Date?
    var createdAt: Date
    /// The author's photos, in the listing of an experience's reviews.
    var photos: [PhotoLinks]? = nil
}
