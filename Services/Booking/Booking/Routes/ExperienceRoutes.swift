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
        let new = try await request.decode(as: ExperienceFields.self, context: context).newExperience()
        return try .json(try await booking.createExperience(new, by: provider.userID), status: .created)
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
        let items = try await booking.experiences(
            of: providerID, includeUnpublished: isOwner, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    @Sendable func change(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        let id = try context.parameters.require("id", as: UUID.self)
        let fields = try await request.decode(as: ExperienceFields.self, context: context)
        try fields.validate(creating: false)
        return try await booking.changeExperience(id, fields, by: identity)
    }

    @Sendable func publish(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        return try await booking.setStatus(.published, allowedFrom: [.draft, .archived], of: try context.parameters.require("id", as: UUID.self), by: identity)
    }

    @Sendable func archive(_ request: Request, context: ServiceRequestContext) async throws -> Experience {
        let identity = try context.requireIdentity()
        return try await booking.setStatus(.archived, allowedFrom: [.draft, .published], of: try context.parameters.require("id", as: UUID.self), by: identity)
    }
}
