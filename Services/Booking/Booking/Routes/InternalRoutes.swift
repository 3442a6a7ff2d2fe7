import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What Payment tells Booking about a booking's payment (through Payment's outbox, so at least once: each
/// message is applied once, by its `X-Outbox-Message-Id`), the whole index feed for Search's reindex, and who
/// the parties of an experience or a booking are, for Messaging.
struct InternalRoutes {
    let booking: BookingService

    func addRoutes(to routes: InternalRouter) {
        routes.post(BookingPayments.PaymentEvent.self, from: .payment, use: paymentEvent)
        routes.get(SearchFeedPage.self, from: .search, use: feedPage)
        routes.get(ExperienceParties.self, from: .messaging, use: experienceParties)
        routes.get(BookingParties.self, from: .messaging, use: bookingParties)
    }

    @Sendable func experienceParties(_ request: Request, context: ServiceRequestContext) async throws -> ExperienceParties {
        guard let experience = try await booking.experiences.find(try context.parameters.require("id", as: UUID.self)) else { throw Problem.notFound("No such experience.") }
        return ExperienceParties(id: experience.id, providerId: experience.providerId, title: experience.title, status: experience.status.rawValue)
    }

    @Sendable func bookingParties(_ request: Request, context: ServiceRequestContext) async throws -> BookingParties {
        guard let found = try await booking.bookings.find(try context.parameters.require("id", as: UUID.self)) else { throw Problem.notFound("No such booking.") }
        return BookingParties(id: found.id, experienceId: found.experienceId, travelerId: found.travelerId, providerId: found.providerId)
    }

    /// A page of every experience and its slots to come, as index feed events with their current versions.
    @Sendable func feedPage(_ request: Request, context: ServiceRequestContext) async throws -> SearchFeedPage {
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 100, maximum: 500)
        let after = try query.get("after").map { text in
            guard let id = UUID(uuidString: text) else { throw Problem.invalid("after", "must be a cursor from a previous page") }
            return id
        }
        let experiences = try await booking.experiences.all(after: after, limit: limit)
        let now = booking.clock.now()
        let slots = Dictionary(grouping: try await booking.slots.upcoming(of: experiences.map(\.id), after: now), by: \.experienceId)
        var events: [SearchFeedEvent] = []
        for experience in experiences {
            events.append(SearchFeedEvent(kind: .experienceChanged, version: experience.version, occurredAt: now, experience: experience.feedSnapshot))
            for slot in slots[experience.id] ?? [] {
                events.append(SearchFeedEvent(kind: .slotChanged, version: slot.version, occurredAt: now, slot: slot.feedSnapshot))
            }
        }
        let next = experiences.count == limit ? experiences.last?.id.uuidString.lowercased() : nil
        return SearchFeedPage(events: events, nextCursor: next)
    }

    @Sendable func paymentEvent(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let event = try await request.decode(as: BookingPayments.PaymentEvent.self, context: context)
        let messageID = request.headers[.outboxMessageID].flatMap(UUID.init(uuidString:))
        try await booking.transaction { connection in
            if let messageID, try await !Outbox.receive(messageID, on: connection, logger: booking.logger) { return }
            guard var found = try await booking.bookings.find(event.bookingId, on: connection, forUpdate: true) else {
                throw Problem.notFound("No such booking.")
            }
            switch event.kind {
            case .succeeded:
                guard let experience = try await booking.experiences.find(found.experienceId, on: connection) else { throw Problem.notFound() }
                try await booking.bookings.setPayment(event.paymentId, of: found.id, on: connection)
                if found.paid.amount == 0 { found.paid = event.amount }
                _ = try await booking.apply(.paymentSucceeded(instantBook: experience.bookingMode == .instant), to: found, on: connection)
            case .failed:
                _ = try await booking.apply(.paymentFailed, to: found, on: connection)
            case .refunded:
                // The refund Booking asked for went through; nothing changes here.
                break
            }
        }
        return Response(status: .noContent)
    }
}
