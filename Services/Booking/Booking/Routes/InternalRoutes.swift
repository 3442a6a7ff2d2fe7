import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What Payment tells Booking about a booking's payment (through Payment's outbox, so at least once: each
/// message is applied once, by its `X-Outbox-Message-Id`), the whole index feed for Search's reindex, and who
/// the parties of an experience or a booking are, for Messaging; and, for Auth, a person's bookings to come and their
/// erasure and their records.
struct InternalRoutes {
    let booking: BookingService

    func addRoutes(to routes: InternalRouter) {
        routes.post(BookingPayments.PaymentEvent.self, from: .payment, use: paymentEvent)
        routes.get(SearchFeedPage.self, from: .search, use: feedPage)
        routes.get(ExperienceParties.self, from: .messaging, use: experienceParties)
        routes.get(BookingParties.self, from: .messaging, use: bookingParties)
        routes.get(AccountCommitments.self, from: .auth, use: commitments)
        routes.post(AccountErasure.route, from: .auth, use: erase)
        routes.get(AccountExport.route, from: .auth, use: export)
    }

    @Sendable func export(_ request: Request, context: ServiceRequestContext) async throws -> AccountExport {
        try await booking.export(try context.parameters.require("id", as: UUID.self))
    }

    @Sendable func commitments(_ request: Request, context: ServiceRequestContext) async throws -> AccountCommitments {
        try await booking.commitments(of: try context.parameters.require("id", as: UUID.self))
    }

    @Sendable func erase(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await booking.erase(try await request.decode(as: AccountErasure.self, context: context))
        return Response(status: .noContent)
    }

    @Sendable func experienceParties(_ request: Request, context: ServiceRequestContext) async throws -> ExperienceParties {
        try await booking.parties(ofExperience: try context.parameters.require("id", as: UUID.self))
    }

    @Sendable func bookingParties(_ request: Request, context: ServiceRequestContext) async throws -> BookingParties {
        try await booking.parties(ofBooking: try context.parameters.require("id", as: UUID.self))
    }

    /// A page of every experience and its slots to come, as index feed events with their current versions.
    @Sendable func feedPage(_ request: Request, context: ServiceRequestContext) async throws -> SearchFeedPage {
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 100, maximum: 500)
        let after = try query.get("after").map { text in
            guard let id = UUID(uuidString: text) else { throw Problem.invalid("after", "must be a cursor from a previous page") }
            return id
        }
        return try await booking.feedPage(after: after, limit: limit)
    }

    @Sendable func paymentEvent(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let event = try await request.decode(as: BookingPayments.PaymentEvent.self, context: context)
        try await booking.apply(event, message: request.headers[.outboxMessageID].flatMap(UUID.init(uuidString:)))
        return Response(status: .noContent)
    }
}
