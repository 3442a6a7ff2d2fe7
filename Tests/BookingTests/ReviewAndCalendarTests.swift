import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

@Suite struct ReviewTests {
    @Test func aCompletedBookingIsReviewedOnceAndTheProviderRepliesOnce() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let made = try await booking.paidBooking(try await booking.slot(of: experience, by: provider, daysAhead: 1), as: traveler)
            let early = try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 5, "comment": "Wonderful"], as: traveler)
            #expect(early.problem?.code == "not_completed")

            booking.clock.advance(by: 86_400 + 4 * 3600)
            #expect(
                try await eventually { try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self).status == .completed })
            let stranger = try await BookingHarness.user(.traveler)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 5, "comment": "Fake"], as: stranger).status == .notFound)
            // The provider sees the booking, so is told it is not theirs to review rather than that it is not there.
            #expect(
                try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 5, "comment": "Self-praise"], as: provider).status == .forbidden)
            let invalid = try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 6, "comment": ""], as: traveler)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["rating", "comment"])

            let reviewed = try await booking.send(
                .post, "/api/v1/bookings/\(made.id)/review", ["rating": 4, "comment": "Clear water, early start"], as: traveler)
            #expect(reviewed.status == .created)
            let review = try reviewed.decode(Review.self)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 1, "comment": "Again"], as: traveler).status == .conflict)
            let rated = try await booking.send(.get, "/api/v1/experiences/\(experience.id)").decode(Experience.self)
            #expect(rated.rating == .init(average: 4, count: 1))

            #expect(try await booking.send(.post, "/api/v1/reviews/\(review.id)/reply", ["reply": "Mine"], as: traveler).status == .notFound)
            let replied = try await booking.send(.post, "/api/v1/reviews/\(review.id)/reply", ["reply": "Thank you, come back!"], as: provider)
            #expect(try replied.decode(Review.self).reply == "Thank you, come back!")
            #expect(try await booking.send(.post, "/api/v1/reviews/\(review.id)/reply", ["reply": "Twice"], as: provider).status == .conflict)
            let listed = try await booking.send(.get, "/api/v1/experiences/\(experience.id)/reviews").decode(Page<Review>.self)
            #expect(listed.items.map(\.id) == [review.id])
        }
    }
}

@Suite struct CalendarTests {
    @Test func aProvidersBookingsAreInTheirSecretFeed() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let made = try await booking.paidBooking(try await booking.slot(of: experience, by: provider), as: traveler, guests: 2)

            let calendar = try await booking.send(.get, "/api/v1/providers/me/calendar", as: provider).decode(CalendarRoutes.Calendar.self)
            let feedURL = try #require(URLComponents(string: calendar.feedUrl))
            let feed = try await booking.send(.get, "\(feedURL.path)?\(feedURL.query!)")
            #expect(feed.status == .ok)
            #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(feed.text.hasPrefix("BEGIN:VCALENDAR\r\n"))
            #expect(feed.text.contains("UID:\(made.id.uuidString.lowercased())@mayago"))
            #expect(feed.text.contains("SUMMARY:Cenote snorkeling at dawn (2 guests)"))
            #expect(ICalendar.busyTimes(in: feed.text, from: .distantPast, through: .distantFuture).map(\.start) == [made.startsAt.roundedDownToSecond])

            #expect(try await booking.send(.get, "\(feedURL.path)?token=guess").status == .notFound)
            let rotated = try await booking.send(.post, "/api/v1/providers/me/calendar/rotate", as: provider).decode(CalendarRoutes.Calendar.self)
            #expect(rotated.feedUrl != calendar.feedUrl)
            #expect(try await booking.send(.get, "\(feedURL.path)?\(feedURL.query!)").status == .notFound)
            #expect(try await booking.send(.get, "/api/v1/providers/me/calendar", as: traveler).status == .forbidden)
        }
    }

    @Test func anImportedCalendarsBusyTimesBlockAvailability() async throws {
        let external = Router()
        let busyStart = Date().addingTimeInterval(10 * 86_400)
        let ics = ICalendar.feed(
            name: "Other work",
            events: [
                ICalendar.Event(
                    uid: "dentist@example", start: busyStart.addingTimeInterval(-3600), end: busyStart.addingTimeInterval(3600), summary: "Busy",
                    status: "CONFIRMED")
            ],
            at: Date()
        )
        external.get("busy.ics") { _, _ in Response(status: .ok, headers: [.contentType: "text/calendar"], body: .init(byteBuffer: ByteBuffer(string: ics))) }
        try await withStandIn(external) { port in
            try await BookingHarness.run(["CALENDAR_REFRESH_MS": "100", "CALENDAR_ALLOW_PRIVATE_HOSTS": "true"]) { booking in
                let provider = try await BookingHarness.user(.provider)
                let traveler = try await BookingHarness.user(.traveler)
                let experience = try await booking.publishedExperience(of: provider)
                // Booked before the import, then blocked by it.
                let slot = try await booking.slot(of: experience, by: provider, capacity: 4, daysAhead: 10)
                let added = try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "http://127.0.0.1:\(port)/busy.ics"], as: provider)
                #expect(added.status == .created)
                let blocked = try await eventually {
                    try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability", as: traveler)
                        .decode(AvailabilityRoutes.Availability.self).slots.isEmpty
                }
                #expect(blocked)
                #expect(try await booking.book(slot, as: traveler).problem?.code == "provider_busy")
                let clash = try await booking.send(
                    .post, "/api/v1/experiences/\(experience.id)/slots",
                    ["startsAt": ISO8601Format.string(busyStart.addingTimeInterval(-1800)), "capacity": 2], as: provider
                )
                #expect(clash.problem?.code == "calendar_busy")
                let status = try await booking.send(.get, "/api/v1/providers/me/calendar", as: provider).decode(CalendarRoutes.Calendar.self)
                #expect(status.imports.first?.fetchedAt != nil)
                #expect(status.imports.first?.lastError == nil)
                #expect(
                    try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "ftp://example.com/x.ics"], as: provider).status
                        == .badRequest)
            }
        }
    }

    /// SSRF: an import may not point the service at its own neighbourhood, in any spelling, by a name that
    /// resolves there, or by a public page that redirects there; the provider learns only that it failed.
    @Test func importsCannotReachInsideAddresses() async throws {
        let inside = Router()
        let hits = Hits()
        inside.get("busy.ics") { _, _ in
            await hits.add()
            return Response(
                status: .ok, headers: [.contentType: "text/calendar"], body: .init(byteBuffer: ByteBuffer(string: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")))
        }
        try await withStandIn(inside) { port in
            try await BookingHarness.run(["CALENDAR_REFRESH_MS": "100"]) { booking in
                let provider = try await BookingHarness.user(.provider)
                for host in [
                    "127.0.0.1", "127.1", "0x7f.0.0.1", "2130706433", "[::ffff:127.0.0.1]", "[::1]", "localhost", "localhost.", "10.0.0.5", "169.254.169.254",
                    "100.64.1.1",
                ] {
                    let refused = try await booking.send(
                        .post, "/api/v1/providers/me/calendar/imports", ["url": "http://\(host):\(port)/busy.ics"], as: provider)
                    #expect(refused.status == .unprocessableContent, "\(host)")
                    #expect(refused.problem?.errors?.first?.field == "url")
                }
                // A name that was public when added and resolves inside when fetched (DNS rebinding), stood in for
                // by a row written directly: the fetcher refuses at connect time and says nothing more.
                let importID = UUID()
                try await booking.postgres.query(
                    "INSERT INTO calendar_imports (id, provider_id, url, created_at) VALUES (\(importID), \(provider.id), \("http://127.0.0.1:\(port)/busy.ics"), now())"
                )
                let failed = try await eventually {
                    try await booking.send(.get, "/api/v1/providers/me/calendar", as: provider).decode(CalendarRoutes.Calendar.self)
                        .imports.first { $0.id == importID }?.lastError != nil
                }
                #expect(failed)
                let status = try await booking.send(.get, "/api/v1/providers/me/calendar", as: provider).decode(CalendarRoutes.Calendar.self)
                #expect(status.imports.first { $0.id == importID }?.lastError == "The calendar could not be fetched.")
                #expect(await hits.count == 0)
            }
        }
    }

    @Test func aProviderImportsAtMostTheLimit() async throws {
        try await BookingHarness.run(["CALENDAR_MAX_IMPORTS": "2", "CALENDAR_ALLOW_PRIVATE_HOSTS": "true", "CALENDAR_REFRESH_MS": "3600000"]) { booking in
            let provider = try await BookingHarness.user(.provider)
            for n in 1...2 {
                #expect(
                    try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "http://127.0.0.1:9/\(n).ics"], as: provider).status
                        == .created)
            }
            // The same URL again is the one already there; a third is refused, naming the limit.
            #expect(
                try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "http://127.0.0.1:9/1.ics"], as: provider).status == .created)
            let third = try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "http://127.0.0.1:9/3.ics"], as: provider)
            #expect(third.status == .badRequest)
            #expect(third.problem?.code == "quota_exceeded")
            #expect(third.problem?.detail?.contains("at most 2") == true)
        }
    }

    @Test func icalendarTimesAreReadInTheirZoneAndLinesFold() throws {
        let text = """
            BEGIN:VCALENDAR\r
            BEGIN:VEVENT\r
            DTSTART;TZID=America/Cancun:20261201T090000\r
            DTEND;TZID=America/Cancun:20261201T1\r
             10000\r
            END:VEVENT\r
            BEGIN:VEVENT\r
            DTSTART;VALUE=DATE:20261224\r
            END:VEVENT\r
            BEGIN:VEVENT\r
            DTSTART:20261202T100000Z\r
            DTEND:20261202T110000Z\r
            STATUS:CANCELLED\r
            END:VEVENT\r
            BEGIN:VEVENT\r
            DTSTART:20261203T100000Z\r
            DTEND:20261203T110000Z\r
            TRANSP:TRANSPARENT\r
            END:VEVENT\r
            END:VCALENDAR\r

            """
        let busy = ICalendar.busyTimes(in: text, from: .distantPast, through: .distantFuture)
        #expect(busy.count == 2)
        #expect(busy.first?.start == ISO8601Format.parse("2026-12-01T14:00:00Z"))
        #expect(busy.first?.end == ISO8601Format.parse("2026-12-01T16:00:00Z"))
        #expect(busy.last?.start == ISO8601Format.parse("2026-12-24T00:00:00Z"))
        #expect(busy.last?.end == ISO8601Format.parse("2026-12-25T00:00:00Z"))

        let long = ICalendar.feed(
            name: "x", events: [.init(uid: "u", start: Date(), end: Date(), summary: String(repeating: "ñ", count: 100), status: "CONFIRMED")], at: Date())
        #expect(long.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
    }

    /// A hostile feed costs no more than the limits: events read and busy times kept.
    @Test func aFeedIsReadUpToItsLimits() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let events = (0..<50).map {
            ICalendar.Event(
                uid: "e\($0)", start: start.addingTimeInterval(Double($0) * 7200), end: start.addingTimeInterval(Double($0) * 7200 + 3600), summary: "Busy",
                status: "CONFIRMED")
        }
        let feed = ICalendar.feed(name: "many", events: events, at: start)
        #expect(ICalendar.busyTimes(in: feed, from: .distantPast, through: .distantFuture).count == 50)
        #expect(ICalendar.busyTimes(in: feed, from: .distantPast, through: .distantFuture, limits: .init(events: 10, busyTimes: 100)).count == 10)
        #expect(ICalendar.busyTimes(in: feed, from: .distantPast, through: .distantFuture, limits: .init(events: 100, busyTimes: 7)).count == 7)
    }
}

/// Counts the requests a stand-in received.
actor Hits {
    private(set) var count = 0
    func add() { count += 1 }
}

extension Date {
    var roundedDownToSecond: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
