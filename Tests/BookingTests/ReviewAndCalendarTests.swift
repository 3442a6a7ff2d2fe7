import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

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
            #expect(try await eventually { try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self).status == .completed })
            let stranger = try await BookingHarness.user(.traveler)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 5, "comment": "Fake"], as: stranger).status == .notFound)
            let invalid = try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 6, "comment": ""], as: traveler)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["rating", "comment"])

            let reviewed = try await booking.send(.post, "/api/v1/bookings/\(made.id)/review", ["rating": 4, "comment": "Clear water, early start"], as: traveler)
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
            events: [ICalendar.Event(uid: "dentist@example", start: busyStart.addingTimeInterval(-3600), end: busyStart.addingTimeInterval(3600), summary: "Busy", status: "CONFIRMED")],
            at: Date()
        )
        external.get("busy.ics") { _, _ in Response(status: .ok, headers: [.contentType: "text/calendar"], body: .init(byteBuffer: ByteBuffer(string: ics))) }
        try await withStandIn(external) { port in
            try await BookingHarness.run(["CALENDAR_REFRESH_MS": "100"]) { booking in
                let provider = try await BookingHarness.user(.provider)
                let traveler = try await BookingHarness.user(.traveler)
                let experience = try await booking.publishedExperience(of: provider)
                // Booked before the import, then blocked by it.
                let slot = try await booking.slot(of: experience, by: provider, capacity: 4, daysAhead: 10)
                let added = try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "http://127.0.0.1:\(port)/busy.ics"], as: provider)
                #expect(added.status == .created)
                let blocked = try await eventually {
                    try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability", as: traveler)
                        .decode(ExperienceRoutes.Availability.self).slots.isEmpty
                }
                #expect(blocked)
                #expect(try await booking.book(slot, as: traveler).problem?.code == "provider_busy")
                let clash = try await booking.send(
                    .post, "/api/v1/experiences/\(experience.id)/slots",
                    ["startsAt": busyStart.addingTimeInterval(-1800).formatted(ISO8601Format.withFractionalSeconds), "capacity": 2], as: provider
                )
                #expect(clash.problem?.code == "calendar_busy")
                let status = try await booking.send(.get, "/api/v1/providers/me/calendar", as: provider).decode(CalendarRoutes.Calendar.self)
                #expect(status.imports.first?.fetchedAt != nil)
                #expect(status.imports.first?.lastError == nil)
                #expect(try await booking.send(.post, "/api/v1/providers/me/calendar/imports", ["url": "ftp://example.com/x.ics"], as: provider).status == .badRequest)
            }
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

        let long = ICalendar.feed(name: "x", events: [.init(uid: "u", start: Date(), end: Date(), summary: String(repeating: "ñ", count: 100), status: "CONFIRMED")], at: Date())
        #expect(long.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(!CalendarRoutes.isPrivate("calendar.google.com"))
        #expect(CalendarRoutes.isPrivate("127.0.0.1") && CalendarRoutes.isPrivate("10.1.2.3") && CalendarRoutes.isPrivate("localhost") && CalendarRoutes.isPrivate("172.20.0.1"))
    }
}

extension Date {
    var roundedDownToSecond: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
