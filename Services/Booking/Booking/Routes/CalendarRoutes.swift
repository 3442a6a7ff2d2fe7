import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Calendar sync for providers: an iCalendar feed of their bookings at a secret URL (calendar apps cannot sign
/// in), and external calendars whose busy times block their availability.
struct CalendarRoutes {
    let booking: BookingService

    struct Calendar: ResponseCodable {
        var feedUrl: String
        var imports: [Calendars.Import]
    }

    struct NewImport: Decodable {
        var url: String
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/providers")
        group.get("me/calendar", use: show)
        group.post("me/calendar/rotate", use: rotate)
        group.post("me/calendar/imports", use: addImport)
        group.delete("me/calendar/imports/:id", use: removeImport)
        group.get(":providerId/calendar.ics", use: feed)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Calendar {
        try await calendar(of: try context.requireRole(.provider).userID)
    }

    @Sendable func rotate(_ request: Request, context: ServiceRequestContext) async throws -> Calendar {
        let provider = try context.requireRole(.provider)
        try await booking.rotateFeedToken(of: provider.userID)
        return try await calendar(of: provider.userID)
    }

    @Sendable func addImport(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        let url = try await request.decode(as: NewImport.self, context: context).url.trimmed
        guard let parsed = URL(string: url), ["http", "https", "webcal"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil, url.count <= 2000
        else {
            throw Problem.invalid("url", "must be an http, https or webcal URL")
        }
        return try .json(try await booking.addCalendarImport(parsed, of: provider.userID), status: .created)
    }

    @Sendable func removeImport(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        try await booking.removeCalendarImport(try context.parameters.require("id", as: UUID.self), of: provider.userID)
        return Response(status: .noContent)
    }

    /// The feed; a wrong token is a 404 like an unknown provider.
    @Sendable func feed(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let providerID = try context.parameters.require("providerId", as: UUID.self)
        let body = try await booking.calendarFeed(of: providerID, token: request.uri.queryParameters.get("token"))
        return Response(
            status: .ok,
            headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    private func calendar(of providerID: UUID) async throws -> Calendar {
        let (feedURL, imports) = try await booking.calendar(of: providerID)
        return Calendar(feedUrl: feedURL, imports: imports)
    }
}
