import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

@Suite struct AvailabilityTests {
    @Test func cancellingAScheduleCancelsItsSlotsToComeAndTheirBookings() async throws {
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
            let schedule = try made.decode(AvailabilityRoutes.Schedule.self)
            #expect(schedule.slotsCreated == 5)
            let window = "from=\(year)-06-01T00:00:00Z&to=\(year)-06-07T00:00:00Z"
            let slots = try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability?\(window)")
                .decode(AvailabilityRoutes.Availability.self).slots
            let paid = try await booking.paidBooking(try #require(slots.first), as: traveler, guests: 2)

            let path = "/api/v1/experiences/\(experience.id)/schedules/\(schedule.id)"
            #expect(try await booking.send(.delete, path, as: traveler).status == .notFound)
            #expect(try await booking.send(.delete, "/api/v1/experiences/\(experience.id)/schedules/\(UUID())", as: provider).status == .notFound)
            let cancelled = try await booking.send(.delete, path, as: provider)
            #expect(cancelled.status == .ok)
            #expect(try cancelled.decode(AvailabilityRoutes.CancelledSchedule.self).slotsCancelled == 5)
            #expect(try await booking.send(.get, "/api/v1/bookings/\(paid.id)", as: traveler).decode(Booking.self).status == .cancelledByProvider)
            let refund = await booking.peers.first(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path) { $0.bookingId == paid.id }
            #expect(refund?.amount == paid.total)
            #expect(
                try await booking.send(.get, "/api/v1/experiences/\(experience.id)/availability?\(window)")
                    .decode(AvailabilityRoutes.Availability.self).slots.isEmpty)
            #expect(try await booking.send(.delete, path, as: provider).decode(AvailabilityRoutes.CancelledSchedule.self).slotsCancelled == 0)
        }
    }

    @Test func aSlotsCapacityNeverDropsBelowTheSeatsSoldAndCancellingItCancelsItsBookings() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let slot = try await booking.slot(of: experience, by: provider, capacity: 10)
            let path = "/api/v1/experiences/\(experience.id)/slots/\(slot.id)"
            let paid = try await booking.paidBooking(slot, as: traveler, guests: 3)

            // Three seats are sold: two is too few, and nothing changes.
            let tooFew = try await booking.send(.patch, path, ["capacity": 2], as: provider)
            #expect(tooFew.status == .conflict)
            #expect(tooFew.problem?.code == "capacity_below_sold")
            #expect(tooFew.problem?.errors?.first?.field == "capacity")
            #expect(try await booking.remaining(slot) == 7)
            let resized = try await booking.send(.patch, path, ["capacity": 4], as: provider)
            #expect(resized.status == .ok)
            #expect(try resized.decode(Slot.self).remaining == 1)
            #expect(try await booking.remaining(slot) == 1)
            // Only its provider changes it; anyone else is told it does not exist.
            #expect(try await booking.send(.patch, path, ["capacity": 9], as: traveler).status == .notFound)
            #expect(try await booking.send(.delete, path, as: traveler).status == .notFound)
            #expect(try await booking.send(.patch, path, ["capacity": 0], as: provider).status == .badRequest)

            // Cancelled: the booking is the provider's cancellation with a full refund, the traveler hears of it, and
            // the slot cannot be booked or changed.
            #expect(try await booking.send(.delete, path, as: provider).status == .noContent)
            let cancelled = try await booking.send(.get, "/api/v1/bookings/\(paid.id)", as: traveler).decode(Booking.self)
            #expect(cancelled.status == .cancelledByProvider)
            let refund = await booking.peers.first(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path) { $0.bookingId == paid.id }
            #expect(refund?.amount == paid.total)
            #expect(
                await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                    $0.type == .bookingCancelled && $0.recipientId == traveler.id
                } != nil)
            #expect(try await booking.book(slot, as: traveler).status == .conflict)
            #expect(try await booking.send(.patch, path, ["capacity": 9], as: provider).problem?.code == "slot_cancelled")
            #expect(try await booking.send(.delete, path, as: provider).status == .noContent)
        }
    }

    @Test func aProvidersSlotsMayNotOverlapUnlessTheySaySo() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let first = try await booking.publishedExperience(of: provider)
            let second = try await booking.publishedExperience(of: provider)
            let start = booking.clock.clock.now().addingTimeInterval(5 * 86_400)
            let at = ISO8601Format.string(start)
            #expect(try await booking.send(.post, "/api/v1/experiences/\(first.id)/slots", ["startsAt": at, "capacity": 8], as: provider).status == .created)
            // The other experience lasts three hours too: an hour later overlaps.
            let later = ISO8601Format.string(start.addingTimeInterval(3600))
            let clash = try await booking.send(.post, "/api/v1/experiences/\(second.id)/slots", ["startsAt": later, "capacity": 8], as: provider)
            #expect(clash.status == .conflict)
            #expect(clash.problem?.code == "slot_overlap")
            let allowed = try await booking.send(
                .post, "/api/v1/experiences/\(second.id)/slots", ["startsAt": later, "capacity": 8, "allowOverlap": true], as: provider)
            #expect(allowed.status == .created)
            let past = try await booking.send(
                .post, "/api/v1/experiences/\(first.id)/slots", ["startsAt": "2020-01-01T09:00:00Z", "capacity": 0], as: provider)
            #expect(Set(past.problem?.errors?.map(\.field) ?? []) == ["startsAt", "capacity"])
        }
    }

    @Test func weeklySchedulesKeepLocalTimeAcrossDaylightSavingAndAvailabilityCountsSeats() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            var body = BookingHarness.experienceBody(timeZone: "Europe/Madrid")
            body["durationMinutes"] = 60
            let id = try await booking.send(.post, "/api/v1/experiences", body, as: provider).decode(Experience.self).id
            _ = try await booking.send(.post, "/api/v1/experiences/\(id)/publish", as: provider)
            let year = Calendar(identifier: .gregorian).component(.year, from: booking.clock.clock.now()) + 1
            // Madrid moves its clocks on the last Sunday of March.
            let schedule = try await booking.send(
                .post, "/api/v1/experiences/\(id)/schedules",
                ["weekdays": [1, 2, 3, 4, 5, 6, 7], "startTimes": ["09:00"], "from": "\(year)-03-20", "until": "\(year)-04-05", "capacity": 4],
                as: provider
            )
            #expect(schedule.status == .created, "\(schedule.text)")
            #expect(try schedule.decode(AvailabilityRoutes.Schedule.self).slotsCreated == 17)

            let window = "from=\(year)-03-20T00:00:00Z&to=\(year)-04-06T00:00:00Z"
            let availability = try await booking.send(.get, "/api/v1/experiences/\(id)/availability?\(window)").decode(AvailabilityRoutes.Availability.self)
            let hours = Set(
                availability.slots.map { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: $0.startsAt).hour! })
            #expect(hours == [7, 8])
            let madrid = Set(
                availability.slots.map { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Europe/Madrid")!, from: $0.startsAt).hour! })
            #expect(madrid == [9])

            let traveler = try await BookingHarness.user(.traveler)
            let slot = availability.slots[0]
            #expect(try await booking.book(slot, as: traveler, guests: 3).status == .created)
            let forFour = try await booking.send(.get, "/api/v1/experiences/\(id)/availability?\(window)&guests=4").decode(AvailabilityRoutes.Availability.self)
            #expect(!forFour.slots.contains { $0.id == slot.id })
            #expect(forFour.slots.count == 16)
            #expect(try await booking.send(.get, "/api/v1/experiences/\(id)/availability?from=soon").problem?.errors?.first?.field == "from")
        }
    }
}
