import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Reviews: a completed booking's traveler reviews it once; the provider replies once; anyone reads them.
struct ReviewRoutes {
    let booking: BookingService

    struct NewReview: Decodable {
        var rating: Int
        var comment: String
    }

    struct Reply: Decodable {
        var reply: String
    }

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/bookings/:id/review", use: review)
        router.post("api/v1/reviews/:id/reply", use: reply)
        router.get("api/v1/experiences/:id/reviews", use: list)
    }

    @Sendable func review(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: NewReview.self, context: context)
        let comment = body.comment.trimmed
        var validator = Validator()
        validator.check((1...5).contains(body.rating), "rating", "must be from 1 to 5")
        validator.check((1...2000).contains(comment.unicodeScalars.count), "comment", "must be 1 to 2000 characters")
        try validator.validate()
        let review = try await booking.review(id, rating: body.rating, comment: comment, by: identity)
        return try .json(review, status: .created)
    }

    @Sendable func reply(_ request: Request, context: ServiceRequestContext) async throws -> Review {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let text = try await request.decode(as: Reply.self, context: context).reply.trimmed
        guard (1...2000).contains(text.unicodeScalars.count) else { throw Problem.invalid("reply", "must be 1 to 2000 characters") }
        return try await booking.reply(text, to: id, by: identity)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Review> {
        let id = try context.parameters.require("id", as: UUID.self)
        let query = request.uri.queryParameters
        let limit = try Paging.limit(query.get("limit"))
        let items = try await booking.reviews(of: id, seenBy: context.identity, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }
}
