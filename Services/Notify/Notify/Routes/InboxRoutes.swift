import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The caller's in-app inbox: `GET /api/v1/notifications`, `POST /api/v1/notifications/{id}/read` and
/// `POST /api/v1/notifications/read-all`. Nobody sees or marks another's entries: they are a 404.
struct InboxRoutes {
    let notify: NotifyService

    struct InboxPage: ResponseCodable {
        var items: [InboxEntry]
        var nextCursor: String?
        var unreadCount: Int
    }

    struct Marked: ResponseCodable {
        var marked: Int
    }

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/notifications", use: list)
        router.post("api/v1/notifications/read-all", use: readAll)
        router.post("api/v1/notifications/:id/read", use: read)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> InboxPage {
        let user = try context.requireIdentity().userID
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 20, maximum: 100)
        let (items, unread) = try await notify.inbox(of: user, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return InboxPage(
            items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit),
            unreadCount: unread
        )
    }

    @Sendable func read(_ request: Request, context: ServiceRequestContext) async throws -> InboxEntry {
        let user = try context.requireIdentity().userID
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw Problem.notFound("No such notification.") }
        return try await notify.markRead(id, of: user)
    }

    @Sendable func readAll(_ request: Request, context: ServiceRequestContext) async throws -> Marked {
        Marked(marked: try await notify.markAllRead(of: try context.requireIdentity().userID))
    }
}
