import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

/// A provider's terms on availability: schedule changes, booking rules, blackout dates; and a traveler's reschedule.
@Suite struct BookingRulesTests {
    @Test func changingAScheduleMovesItsSlotsToComeToTheNewTerms() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let year = Calendar(identifier: .gregorian).component(.year, from: booking.clock.clock.now()) + 1
            let made = try await booking.send(
                .post, "/api/v1/experiences/\(experience.id)/schedules",
                ["weekdays": [1, 2, 3, 4, 5, 6, 7], "startTimes": ["09:00"], "from": "\(year)-06-01", "until": "\(year)-06-05", "capacity": 4],
                as: provider
            )
            try #require(made.status == .created, "\(made.text)")
            let schedule = try made.decode(AvailabilityRoutes.Schedule.self)
            let window = "from=\(year)-06-01T00:00:00Z&to=\(year)-06-07T00:00:00Z"
            let first = try #require(
                try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability?\(window)").decode(AvailabilityRoutes.Availability.self).slots
                    .first)
            let paid = try await booking.paidBooking(first, as: traveler, guests: 2)
            let path = "/api/v1/experiences/\(experience.id)/schedules/\(schedule.id)"

            let tooFew = try await booking.send(.patch, path, ["capacity": 1], as: provider)
            #expect(tooFew.status == .conflict)
            #expect(tooFew.problem?.code == "capacity_below_sold")
            #expect(tooFew.problem?.errors?.first?.field == "capacity")
            #expect(try await booking.send(.patch, path, ["startTimes": ["9am"]], as: provider).problem?.errors?.first?.field == "startTimes[0]")
            #expect(try await booking.send(.patch, path, ["until": "\(year)-05-01"], as: provider).problem?.errors?.first?.field == "until")
            #expect(try await booking.send(.patch, path, ["capacity": 6], as: traveler).status == .notFound)
            #expect(try await booking.remaining(first) == 2)

            // 2 June is blacked out after its slot was made: that slot stays, and no new one opens that day.
            #expect(try await booking.send(.patch, "/api/v1/experiences/\(experience.id)", ["blackoutDates": ["\(year)-06-02"]], as: provider).status == .ok)
            // Three days instead of five, twice a day, six seats: two slots go, two come, three grow.
            let changed = try await booking.send(.patch, path, ["until": "\(year)-06-03", "startTimes": ["09:00", "15:00"], "capacity": 6], as: provider)
            #expect(changed.status == .ok, "\(changed.text)")
            let revised = try changed.decode(AvailabilityRoutes.Schedule.self)
            #expect(revised.slotsCancelled == 2)
            #expect(revised.slotsCreated == 2)
            #expect(revised.slotsResized == 3)
            #expect(revised.until == "\(year)-06-03")
            #expect(revised.startTimes == ["09:00", "15:00"])
            #expect(try await booking.remaining(first) == 4)
            #expect(try await booking.send(.get, "/api/v1/bookings/\(paid.id)", as: traveler).decode(Booking.self).status == .confirmed)
            let slots = try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability?\(window)")
                .decode(AvailabilityRoutes.Availability.self).slots
            // Availability leaves out the blacked-out day.
            #expect(slots.count == 4)
            #expect(slots.allSatisfy { $0.capacity == 6 })
            #expect(try await booking.count("SELECT count(*)::int FROM slots WHERE schedule_id = \(schedule.id) AND status = 'open'") == 5)
        }
    }

    @Test func bookingRulesAndBlackoutDatesAreEnforcedWhenBooking() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let path = "/api/v1/experiences/\(experience.id)"
            let bad = try await booking.send(
                .patch, path, ["bookingRules": ["minimumNoticeHours": -1, "maxBookingsPerDay": 0], "blackoutDates": ["2026-02-30"]], as: provider)
            #expect(bad.status == .badRequest)
            #expect(bad.problem?.errors?.first?.field == "blackoutDates[0]")
            let badRules = try await booking.send(.patch, path, ["bookingRules": ["minimumNoticeHours": -1, "maxBookingsPerDay": 0]], as: provider)
            #expect(Set(badRules.problem?.errors?.map(\.field) ?? []) == ["bookingRules.minimumNoticeHours", "bookingRules.maxBookingsPerDay"])

            let tomorrow = try await booking.slot(of: experience, by: provider, daysAhead: 1)
            let farAhead = try await booking.slot(of: experience, by: provider, daysAhead: 40)
            // One local day: the limit counts bookings by the experience's calendar, not by 24 hours.
            let morning = try await booking.slot(of: experience, by: provider, at: booking.cancun(daysAhead: 10, hour: 9))
            let afternoon = try await booking.slot(of: experience, by: provider, at: booking.cancun(daysAhead: 10, hour: 15))
            // At 10:00 local, so that an hour later is still the blacked-out day whenever the test runs.
            let later = try await booking.slot(of: experience, by: provider, at: booking.cancun(daysAhead: 12, hour: 10))
            let rules: [String: any Sendable] = ["minimumNoticeHours": 48, "bookingWindowDays": 30, "maxBookingsPerDay": 1]
            let cancun = try #require(TimeZone(identifier: "America/Cancun"))
            let blackout = LocalDate(later.startsAt, in: cancun).description
            let updated = try await booking.send(.patch, path, ["bookingRules": rules, "blackoutDates": [blackout, blackout]], as: provider)
            #expect(updated.status == .ok, "\(updated.text)")
            let saved = try updated.decode(Experience.self)
            #expect(saved.bookingRules == BookingRules(minimumNoticeHours: 48, bookingWindowDays: 30, maxBookingsPerDay: 1))
            #expect(saved.blackoutDates.map(\.description) == [blackout])

            #expect(try await booking.book(tomorrow, as: traveler).problem?.code == "minimum_notice")
            #expect(try await booking.book(farAhead, as: traveler).problem?.code == "booking_window")
            #expect(try await booking.book(later, as: traveler).problem?.code == "blackout_date")
            #expect(try await booking.book(morning, as: traveler).status == .created)
            let second = try await booking.book(afternoon, as: traveler)
            #expect(second.status == .conflict)
            #expect(second.problem?.code == "max_bookings_per_day")
            #expect(try await booking.remaining(afternoon) == 10)

            // Availability shows only what can be booked; no new slot lands on a blackout date.
            let shown = try await booking.send(
                .get, "\(path)/availability?to=\(ISO8601Format.string(later.startsAt.addingTimeInterval(60)))"
            )
            .decode(AvailabilityRoutes.Availability.self).slots.map(\.id)
            #expect(shown == [morning.id, afternoon.id])
            let onBlackout = try await booking.send(
                .post, "\(path)/slots",
                ["startsAt": ISO8601Format.string(later.startsAt.addingTimeInterval(3600)), "capacity": 4, "allowOverlap": true],
                as: provider)
            #expect(onBlackout.problem?.code == "blackout_date")
            // Search hears of the blacked-out slot as closed, and as open again once the date is free.
            #expect(
                await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) { $0.slot?.id == later.id && $0.slot?.status == "cancelled" }
                    != nil)
            #expect(try await booking.send(.patch, path, ["blackoutDates": [] as [String]], as: provider).status == .ok)
            #expect(
                await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) {
                    $0.slot?.id == later.id && $0.slot?.status == "open" && $0.version > 2
                } != nil)
        }
    }

    @Test func aBufferKeepsTheProviderFreeAroundABookedTime() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            #expect(
                try await booking.send(.patch, "/api/v1/experiences/\(experience.id)", ["bookingRules": ["bufferMinutes": 60]], as: provider).status == .ok)
            // Three hours long: the booked slot ends at +3 h; the next starts 30 minutes later, the one after an hour later.
            let booked = try await booking.slot(of: experience, by: provider, daysAhead: 10)
            let tooClose = try await booking.slot(of: experience, by: provider, daysAhead: 10 + 3.5 / 24)
            let clear = try await booking.slot(of: experience, by: provider, daysAhead: 10 + 4.0 / 24)
            #expect(try await booking.book(booked, as: traveler).status == .created)
            let refused = try await booking.book(tooClose, as: traveler)
            #expect(refused.status == .conflict)
            #expect(refused.problem?.code == "buffer_between_bookings")
            #expect(try await booking.book(clear, as: traveler).status == .created)
        }
    }

    @Test func aDaysLastPlaceGoesToOneBookingWhenTwoRaceForIt() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let experience = try await booking.publishedExperience(of: provider)
            #expect(
                try await booking.send(.patch, "/api/v1/experiences/\(experience.id)", ["bookingRules": ["maxBookingsPerDay": 1]], as: provider).status == .ok)
            let morning = try await booking.slot(of: experience, by: provider, at: booking.cancun(daysAhead: 10, hour: 9))
            let afternoon = try await booking.slot(of: experience, by: provider, at: booking.cancun(daysAhead: 10, hour: 15))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for slot in [morning, afternoon, morning, afternoon] {
                    group.addTask { try await booking.book(slot, as: try await BookingHarness.user(.traveler)).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 3)
        }
    }

    @Test func aTravelerReschedulesToAnotherTimeAndACheaperOneRefundsTheDifference() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let other = try await booking.publishedExperience(of: provider)
            let from = try await booking.slot(of: experience, by: provider, capacity: 4, daysAhead: 10)
            let to = try await booking.slot(of: experience, by: provider, capacity: 4, daysAhead: 11)
            let full = try await booking.slot(of: experience, by: provider, capacity: 1, daysAhead: 12)
            let cheaper = try await booking.slot(of: experience, by: provider, capacity: 4, daysAhead: 13)
            let elsewhere = try await booking.slot(of: other, by: provider, daysAhead: 11)
            let paid = try await booking.paidBooking(from, as: traveler, guests: 2)
            let path = "/api/v1/bookings/\(paid.id)/reschedule"

            #expect(try await booking.send(.post, path, ["slotId": to.id.uuidString], as: provider).status == .forbidden)
            #expect(try await booking.send(.post, path, ["slotId": to.id.uuidString], as: try await BookingHarness.user(.traveler)).status == .notFound)
            #expect(try await booking.send(.post, path, ["slotId": "soon"], as: traveler).problem?.errors?.first?.field == "slotId")
            #expect(try await booking.send(.post, path, ["slotId": elsewhere.id.uuidString], as: traveler).problem?.errors?.first?.field == "slotId")
            #expect(try await booking.send(.post, path, ["slotId": full.id.uuidString], as: traveler).problem?.code == "not_enough_seats")
            #expect(try await booking.remaining(from) == 2)

            let moved = try await booking.send(.post, path, ["slotId": to.id.uuidString], as: traveler)
            #expect(moved.status == .ok, "\(moved.text)")
            let rescheduled = try moved.decode(Booking.self)
            #expect(rescheduled.slotId == to.id)
            #expect(rescheduled.startsAt == to.startsAt)
            #expect(rescheduled.total == paid.total)
            #expect(try await booking.remaining(from) == 4)
            #expect(try await booking.remaining(to) == 2)
            #expect(
                await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                    $0.type == .bookingRescheduled && $0.recipientId == provider.id && $0.data["previousStartsAt"] != nil
                } != nil)
            // Again to where it is: nothing moves.
            #expect(try await booking.send(.post, path, ["slotId": to.id.uuidString], as: traveler).decode(Booking.self).slotId == to.id)
            #expect(try await booking.remaining(to) == 2)

            // The price drops by 100 a guest: moving now gives 200 back.
            let price: [String: any Sendable] = ["amount": 84900, "currency": "MXN"]
            #expect(try await booking.send(.patch, "/api/v1/experiences/\(experience.id)", ["price": price], as: provider).status == .ok)
            let refunded = try await booking.send(.post, path, ["slotId": cheaper.id.uuidString], as: traveler).decode(Booking.self)
            #expect(refunded.total.amount == paid.total.amount - 200)
            #expect(refunded.refunded.amount == 200)
            let refund = await booking.peers.first(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path) { $0.bookingId == paid.id }
            #expect(refund?.amount == Money(amount: 200, currency: "MXN"))
            let row = try await booking.postgres.query("SELECT slot_id, total_amount FROM bookings WHERE id = \(paid.id)")
            for try await (slot, total) in row.decode((UUID, Int64).self) {
                #expect(slot == cheaper.id)
                #expect(total == paid.total.amount - 200)
            }
        }
    }
}
