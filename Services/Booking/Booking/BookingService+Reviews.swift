import Contracts
import Foundation
import ServiceKit

/// Reviews: a completed booking's traveler reviews it once, the provider replies once, anyone reads them.
extension BookingService {
    /// The traveler's review of their completed booking; the experience's rating takes it in and Search hears of it.
    func review(_ bookingID: UUID, rating: Int, comment: String, by identity: Identity) async throws -> Review {
        try await transaction { connection in
            let (found, party) = try await lockedBooking(bookingID, for: identity, on: connection)
            guard party == .traveler else { throw Problem.forbidden("Only the traveler reviews a booking.") }
            guard found.status == .completed else { throw Problem.conflict("Only a completed booking can be reviewed.", code: "not_completed") }
            let now = clock.now()
            let review = Review(
                id: UUID.random(), bookingId: found.id, experienceId: found.experienceId, travelerId: identity.userID, rating: rating,
                comment: comment, reply: nil, repliedAt: nil, createdAt: now
            )
            guard try await reviews.insert(review, providerID: found.providerId, on: connection) else {
                throw Problem.conflict("This booking has been reviewed already.", code: "already_reviewed")
            }
            try await experiences.addRating(rating, to: found.experienceId, at: now, on: connection)
            if let experience = try await experiences.find(found.experienceId, on: connection) {
                try await feed(experience, on: connection)
            }
            return review
        }
    }

    /// The provider's (or an admin's) one reply to a review of their experience; 404 for anyone else.
    func reply(_ text: String, to reviewID: UUID, by identity: Identity) async throws -> Review {
        guard let (_, providerID) = try await reviews.find(reviewID), providerID == identity.userID || identity.role == .admin else {
            throw Problem.notFound("No such review.")
        }
        return try await transaction { connection in
            guard let replied = try await reviews.reply(text, to: reviewID, providerID: providerID, at: clock.now(), on: connection) else {
                throw Problem.conflict("This review has a reply already.", code: "already_replied")
            }
            return replied
        }
    }

    /// The reviews of an experience the caller may see, newest first, each with its ready photos.
    func reviews(of experienceID: UUID, seenBy identity: Identity?, before cursor: KeysetCursor?, limit: Int) async throws -> [Review] {
        _ = try await visibleExperience(experienceID, to: identity)
        var page = try await reviews.page(experienceID: experienceID, before: cursor, limit: limit)
        let photos = try await photos.list(reviewIDs: page.map(\.id))
        for index in page.indices { page[index].photos = photos[page[index].id]?.compactMap(\.links) ?? [] }
        return page
    }
}
