import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Experiences: providers create, change, publish and archive their own; anyone reads the published ones.
struct ExperienceRoutes {
    let booking: BookingService

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/experiences")
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: change)
        group.post(":id/publish", use: publish)
        group.post(":id/archive", use: archive)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        let fields = try await request.decode(as: ExperienceFields.self, context: context)
        try fields.validate(creating: true)
        let now = booking.clock.now()
        let experience = Experience(
            id: UUID(), providerId: provider.userID, title: fields.title!.trimmed, description: fields.description!.trimmed,
            category: fields.category!, tags: (fields.tags ?? []).map(\.trimmed), location: fields.location!, timeZone: fields.timeZone!,
            durationMinutes: fields.durationMinutes!, price: fields.price!, maxGuests: fields.maxGuests!, bookingMode: fields.bookingMode!,
            cancellationPolicy: fields.cancellationPolicy!, languages: fields.languages!, status: .draft, rating: .init(average: 0, count: 0),
            version: 1, createdAt: now, updatedAt: now
        )
        try await booking.transaction { connection in
            try await booking.experiences.insert(experience, on: connection)
            try await booking.feed(experience, on: connection)
        }
        return try .json(experience, status: .created)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        try await booking.visibleExperience(try context.parameters.require("id", as: UUID.self), to: context.identity)
    }

    /// Published experiences, newest first; `providerId` narrows to one provider, who (like an admin) also sees
    /// their drafts and archived ones.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Experience> {
        let query = request.uri.queryParameters
        let providerID = try query.get("providerId").map { text in
            guard let id = UUID(uuidString: text) else { throw Problem.invalid("providerId", "must be a UUID") }
            return id
        }
        let limit = try Paging.limit(query.get("limit"))
        let isOwner = providerID != nil && (context.identity?.userID == providerID || context.identity?.role == .admin)
        let items = try await booking.experiences.page(providerID: providerID, includeUnpublished: isOwner, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    @Sendable func change(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let fields = try await request.decode(as: ExperienceFields.self, context: context)
        try fields.validate(creating: false)
        return try await booking.transaction { connection in
            var experience = try await booking.ownedExperience(id, by: identity, on: connection)
            if let title = fields.title { experience.title = title.trimmed }
            if let description = fields.description { experience.description = description.trimmed }
            if let category = fields.category { experience.category = category }
            if let tags = fields.tags { experience.tags = tags.map(\.trimmed) }
            if let location = fields.location { experience.location = location }
            if let timeZone = fields.timeZone { experience.timeZone = timeZone }
            if let durationMinutes = fields.durationMinutes { experience.durationMinutes = durationMinutes }
            if let price = fields.price { experience.price = price }
            if let maxGuests = fields.maxGuests { experience.maxGuests = maxGuests }
            if let bookingMode = fields.bookingMode { experience.bookingMode = bookingMode }
            if let cancellationPolicy = fields.cancellationPolicy { experience.cancellationPolicy = cancellationPolicy }
            if let languages = fields.languages { experience.languages = languages }
            let stored = try await booking.experiences.update(experience, at: booking.clock.now(), on: connection)
            try await booking.feed(stored, on: connection)
            return stored
        }
    }

    @Sendable func publish(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        try await setStatus(.published, allowedFrom: [.draft, .archived], request, context)
    }

    @Sendable func archive(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        try await setStatus(.archived, allowedFrom: [.draft, .published], request, context)
    }

    private func setStatus(_ status: Experience.Status, allowedFrom: Set<Experience.Status>, _ request: Request, _ context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        return try await booking.transaction { connection in
            var experience = try await booking.ownedExperience(id, by: identity, on: connection)
            if experience.status == status { return experience }
            guard allowedFrom.contains(experience.status) else {
                throw Problem.conflict("An experience that is \(experience.status.rawValue) cannot become \(status.rawValue).", code: "invalid_transition")
            }
            experience.status = status
            let stored = try await booking.experiences.update(experience, at: booking.clock.now(), on: connection)
            try await booking.feed(stored, on: connection)
            return stored
        }
    }
}
