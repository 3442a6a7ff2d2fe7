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
        try await booking.calendars.rotateFeedToken(of: provider.userID, at: booking.clock.now())
        return try await calendar(of: provider.userID)
    }

    @Sendable func addImport(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        let url = try await request.decode(as: NewImport.self, context: context).url.trimmed
        guard let parsed = URL(string: url), ["http", "https", "webcal"].contains(parsed.scheme?.lowercased() ?? ""), let host = parsed.host, url.count <= 2000 else {
            throw Problem.invalid("url", "must be an http, https or webcal URL")
        }
        guard try await booking.calendarFetcher.mayFetch(host: host) else {
            throw Problem.refused("url", "must be a public address")
        }
        let limit = booking.settings.maxCalendarImports
        guard let added = try await booking.calendars.addImport(
            url.replacingOccurrences(of: "webcal://", with: "https://"), of: provider.userID, limit: limit, at: booking.clock.now()
        ) else {
            throw Problem(.badRequest, detail: "A provider may import at most \(limit) calendars.", code: "quota_exceeded", errors: [FieldError(field: "url", message: "at most \(limit) calendar imports")])
        }
        return try .json(added, status: .created)
    }

    @Sendable func removeImport(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        guard try await booking.calendars.removeImport(try context.parameters.require("id", as: UUID.self), of: provider.userID) else {
            throw Problem.notFound("No such calendar import.")
        }
        return Response(status: .noContent)
    }

    /// The feed; a wrong token is a 404 like an unknown provider.
    @Sendable func feed(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let providerID = try context.parameters.require("providerId", as: UUID.self)
        guard let token = request.uri.queryParameters.get("token"), try await booking.calendars.provider(ofFeedToken: token) == providerID else {
            throw Problem.notFound("No such calendar.")
        }
        let now = booking.clock.now()
        let events = try await booking.calendars.feedEvents(of: providerID, since: now.addingTimeInterval(-30 * 86_400))
        let body = ICalendar.feed(name: "MayaGo bookings", events: events, at: now)
        return Response(
            status: .ok,
            headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    private func calendar(of providerID: UUID) async throws -> Calendar {
        let token = try await booking.calendars.feedToken(of: providerID, at: booking.clock.now())
        var url = URLComponents(url: booking.settings.publicURL.appendingPathComponent("api/v1/providers/\(providerID.uuidString.lowercased())/calendar.ics"), resolvingAgainstBaseURL: false)!
        url.queryItems = [URLQueryItem(name: "token", value: token)]
        return Calendar(feedUrl: url.string!, imports: try await booking.calendars.imports(of: providerID))
    }
}
