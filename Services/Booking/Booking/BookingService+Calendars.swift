import Contracts
import Foundation
import HTTPTypes
import ServiceKit

/// Calendar sync for providers: an iCalendar feed of their bookings at a secret URL (calendar apps cannot sign in),
/// and external calendars whose busy times block their availability.
extension BookingService {
    /// The provider's feed URL (its token made on first use) and their imports.
    func calendar(of providerID: UUID) async throws -> (feedURL: String, imports: [Calendars.Import]) {
        let token = try await calendars.feedToken(of: providerID, at: clock.now())
        let path = "api/v1/providers/\(providerID.lowercasedString)/calendar.ics"
        var url = URLComponents(url: settings.publicURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        url?.queryItems = [URLQueryItem(name: "token", value: token)]
        return (url?.string ?? "", try await calendars.imports(of: providerID))
    }

    /// A new feed token: the old URL stops working.
    func rotateFeedToken(of providerID: UUID) async throws {
        try await calendars.rotateFeedToken(of: providerID, at: clock.now())
    }

    /// Imports the calendar at `url` (a public http, https or webcal address), within the provider's quota.
    func addCalendarImport(_ url: URL, of providerID: UUID) async throws -> Calendars.Import {
        guard let host = url.host, try await calendarFetcher.mayFetch(host: host) else { throw Problem.refused("url", "must be a public address") }
        let limit = settings.maxCalendarImports
        let address = url.absoluteString.replacingOccurrences(of: "webcal://", with: "https://")
        guard let added = try await calendars.addImport(address, of: providerID, limit: limit, at: clock.now()) else {
            throw Problem(
                .badRequest, detail: "A provider may import at most \(limit) calendars.", code: "quota_exceeded",
                errors: [FieldError(field: "url", message: "at most \(limit) calendar imports")])
        }
        return added
    }

    func removeCalendarImport(_ id: UUID, of providerID: UUID) async throws {
        guard try await calendars.removeImport(id, of: providerID) else { throw Problem.notFound("No such calendar import.") }
    }

    /// The provider's feed (the last 30 days and what is to come), for the holder of its token; a wrong token is a
    /// 404 like an unknown provider.
    func calendarFeed(of providerID: UUID, token: String?) async throws -> String {
        guard let token, try await calendars.provider(ofFeedToken: token) == providerID else { throw Problem.notFound("No such calendar.") }
        let now = clock.now()
        let events = try await calendars.feedEvents(of: providerID, since: now.addingTimeInterval(-30 * 86_400))
        return ICalendar.feed(name: "MayaGo bookings", events: events, at: now)
    }
}
