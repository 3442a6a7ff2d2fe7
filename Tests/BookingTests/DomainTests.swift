import Contracts
import Foundation
import ServiceKit
import Testing

@testable import Booking

@Suite struct BookingDomainTests {
    let start = Date(timeIntervalSince1970: 1_900_000_000)
    let paid = Money(amount: 100_001, currency: "MXN")
    let hour: TimeInterval = 3600

    func refund(_ policy: CancellationPolicy, hoursBefore: Double) -> Int64 {
        policy.refund(of: paid, startsAt: start, cancelledAt: start.addingTimeInterval(-hoursBefore * hour)).amount
    }

    @Test func policiesRefundAtEveryBoundary() {
        #expect(refund(.flexible, hoursBefore: 24) == 100_001)
        #expect(refund(.flexible, hoursBefore: 23.99) == 0)
        #expect(refund(.moderate, hoursBefore: 5 * 24) == 100_001)
        #expect(refund(.moderate, hoursBefore: 5 * 24 - 0.01) == 50_000)
        #expect(refund(.moderate, hoursBefore: 1) == 50_000)
        #expect(refund(.strict, hoursBefore: 7 * 24) == 50_000)
        #expect(refund(.strict, hoursBefore: 7 * 24 - 0.01) == 0)
        #expect(refund(.strict, hoursBefore: 30 * 24) == 50_000)
    }

    @Test func theStateMachineAllowsOnlyItsTransitions() throws {
        typealias Machine = BookingStateMachine
        #expect(try Machine.apply(.paymentSucceeded(instantBook: true), to: .pendingPayment).get().status == .confirmed)
        #expect(try Machine.apply(.paymentSucceeded(instantBook: false), to: .pendingPayment).get().status == .awaitingProvider)
        #expect(try Machine.apply(.holdExpired, to: .pendingPayment).get() == .init(status: .expired, releasesSeats: true))
        #expect(try Machine.apply(.declined, to: .awaitingProvider).get() == .init(status: .declined, releasesSeats: true, refund: .full))
        #expect(try Machine.apply(.cancelledByTraveler, to: .confirmed).get().refund == .policy)
        #expect(try Machine.apply(.cancelledByProvider, to: .confirmed).get().refund == .full)
        #expect(try Machine.apply(.cancelledByTraveler, to: .cancelledByTraveler).get() == .init(status: .cancelledByTraveler, changed: false))
        #expect(try Machine.apply(.paymentSucceeded(instantBook: true), to: .expired).get() == .init(status: .expired, refund: .full, changed: false))
        for (event, status) in [
            (Machine.Event.accepted, BookingStatus.confirmed), (.accepted, .pendingPayment), (.completed, .awaitingProvider),
            (.cancelledByTraveler, .completed), (.declined, .confirmed), (.cancelledByProvider, .cancelledByTraveler),
        ] {
            #expect((try? Machine.apply(event, to: status).get()) == nil, "\(event) on \(status)")
        }
        // Every status that takes seats is exactly one that holds them.
        for status in BookingStatus.allCases {
            for event in [Machine.Event.holdExpired, .declined, .cancelledByTraveler, .cancelledByProvider, .paymentFailed, .requestTimedOut] {
                if let transition = try? Machine.apply(event, to: status).get(), transition.releasesSeats {
                    #expect(status.holdsSeats && !transition.status.holdsSeats)
                }
            }
        }
    }

    func bookable(
        remaining: Int = 5, status: Slot.Status = .open, experience: Experience.Status? = .published, busy: Bool = false, rules: BookingRules = BookingRules(),
        blackedOut: Bool = false, bookedThatDay: Int = 0, bufferClash: Bool = false
    ) -> BookableSlot {
        BookableSlot(
            slot: Slot(
                id: UUID(), experienceId: UUID(), startsAt: start, endsAt: start.addingTimeInterval(hour), capacity: 8, remaining: remaining, status: status,
                version: 1),
            providerID: UUID(), experienceStatus: experience, title: "Tacos", maxGuests: 6, price: Money(amount: 45_000, currency: "MXN"),
            cancellationPolicy: .moderate, timeZone: "America/Merida", rules: rules, blackedOut: blackedOut, providerBusy: busy,
            bookedThatDay: bookedThatDay, bufferClash: bufferClash
        )
    }

    @Test func aRequestToBookIsRefusedForTheFirstRuleItBreaks() {
        let before = start.addingTimeInterval(-hour)
        #expect(bookable().refusal(guests: 5, at: before) == nil)
        #expect(bookable(experience: .draft).refusal(guests: 1, at: before) == .notPublished)
        #expect(bookable(experience: nil).refusal(guests: 1, at: before) == .notPublished)
        #expect(bookable().refusal(guests: 7, at: before) == .tooManyGuests(maximum: 6))
        #expect(bookable(status: .cancelled).refusal(guests: 1, at: before) == .slotClosed)
        #expect(bookable().refusal(guests: 1, at: start) == .slotClosed)
        #expect(bookable(busy: true).refusal(guests: 1, at: before) == .providerBusy)
        #expect(bookable(remaining: 4).refusal(guests: 5, at: before) == .notEnoughSeats)
        #expect(bookable().total(guests: 3) == Money(amount: 135_000, currency: "MXN"))
    }

    @Test func theProvidersBookingRulesAreEnforcedOnlyWhenSet() {
        let dayBefore = start.addingTimeInterval(-24 * hour)
        // Off by default: a day's full of bookings and a booked neighbour do not matter.
        #expect(bookable(bookedThatDay: 50, bufferClash: true).refusal(guests: 1, at: dayBefore) == nil)
        #expect(bookable(blackedOut: true).refusal(guests: 1, at: dayBefore) == .blackoutDate)
        let notice = BookingRules(minimumNoticeHours: 24)
        #expect(bookable(rules: notice).refusal(guests: 1, at: dayBefore) == nil)
        #expect(bookable(rules: notice).refusal(guests: 1, at: dayBefore.addingTimeInterval(1)) == .minimumNotice(hours: 24))
        let window = BookingRules(bookingWindowDays: 30)
        #expect(bookable(rules: window).refusal(guests: 1, at: start.addingTimeInterval(-30 * 24 * hour)) == nil)
        #expect(bookable(rules: window).refusal(guests: 1, at: start.addingTimeInterval(-30 * 24 * hour - 1)) == .bookingWindow(days: 30))
        let perDay = BookingRules(maxBookingsPerDay: 3)
        #expect(bookable(rules: perDay, bookedThatDay: 2).refusal(guests: 1, at: dayBefore) == nil)
        #expect(bookable(rules: perDay, bookedThatDay: 3).refusal(guests: 1, at: dayBefore) == .maxBookingsPerDay(3))
        let buffer = BookingRules(bufferMinutes: 30)
        #expect(bookable(rules: buffer).refusal(guests: 1, at: dayBefore) == nil)
        #expect(bookable(rules: buffer, bufferClash: true).refusal(guests: 1, at: dayBefore) == .buffer(minutes: 30))
    }

    @Test func aScheduleRevisionKeepsDropsAndAddsStartsAndNeverSellsBelowCapacity() throws {
        func slot(_ hours: Double, sold: Int) -> Slot {
            let at = start.addingTimeInterval(hours * hour)
            return Slot(
                id: UUID(), experienceId: UUID(), startsAt: at, endsAt: at.addingTimeInterval(hour), capacity: 4, remaining: 4 - sold, status: .open, version: 1
            )
        }
        let upcoming = [slot(0, sold: 3), slot(24, sold: 0), slot(48, sold: 1)]
        let starts = [upcoming[0].startsAt, upcoming[2].startsAt, start.addingTimeInterval(72 * hour)]
        let revision = try ScheduleRevision.revise(upcoming, to: starts, capacity: 6).get()
        #expect(revision.resized.map(\.id) == [upcoming[0].id, upcoming[2].id])
        #expect(revision.resized.map(\.remaining) == [3, 5])
        #expect(revision.dropped == [upcoming[1]])
        #expect(revision.added == [starts[2]])
        #expect(try ScheduleRevision.revise(upcoming, to: starts, capacity: 4).get().resized.isEmpty)
        #expect(throws: ScheduleRevision.ShortSlot(slot: upcoming[0])) { try ScheduleRevision.revise(upcoming, to: starts, capacity: 2).get() }
    }

    @Test func reschedulingRefundsACheaperTimeAndKeepsTheBookedPriceOfADearerOne() {
        let booking = Booking(
            id: UUID(), experienceId: UUID(), slotId: UUID(), travelerId: UUID(), providerId: UUID(), guests: 2, total: Money(amount: 100_000, currency: "MXN"),
            cancellationPolicy: .flexible, status: .confirmed, note: nil, startsAt: start, endsAt: start, holdExpiresAt: nil, respondBy: nil,
            paid: Money(amount: 100_000, currency: "MXN"), refunded: Money(amount: 10_000, currency: "MXN"), cancellationReason: nil, createdAt: start,
            updatedAt: start
        )
        let later = Slot(
            id: UUID(), experienceId: booking.experienceId, startsAt: start.addingTimeInterval(hour), endsAt: start.addingTimeInterval(2 * hour), capacity: 4,
            remaining: 4, status: .open, version: 1)
        let (moved, refund) = booking.rescheduled(to: later, price: Money(amount: 45_000, currency: "MXN"))
        #expect((moved.slotId, moved.startsAt, moved.endsAt) == (later.id, later.startsAt, later.endsAt))
        #expect(refund.amount == 10_000)
        #expect(moved.total.amount == 90_000)
        #expect(moved.refunded.amount == 20_000)
        let dearer = booking.rescheduled(to: later, price: Money(amount: 60_000, currency: "MXN"))
        #expect(dearer.refund.amount == 0)
        #expect(dearer.booking.total == booking.total)
        // Never more back than is left of what was paid.
        let cheap = booking.rescheduled(to: later, price: Money(amount: 100, currency: "MXN"))
        #expect(cheap.refund.amount == 90_000)
    }

    @Test func blackoutDatesAreReadInTheExperiencesTimeZone() throws {
        let zone = try #require(TimeZone(identifier: "America/Merida"))  // UTC-6 all year
        // 03:00 UTC on the 25th is still the 24th in Mérida.
        let instant = try #require(ISO8601Format.parse("2026-12-25T03:00:00Z"))
        #expect(LocalDate(instant, in: zone) == LocalDate("2026-12-24"))
        #expect(LocalDate(instant, in: TimeZone(identifier: "UTC")!) == LocalDate("2026-12-25"))
    }

    @Test func aBookingsPartiesAreItsTravelerItsProviderAndAdmins() {
        let booking = Booking(
            id: UUID(), experienceId: UUID(), slotId: UUID(), travelerId: UUID(), providerId: UUID(), guests: 1, total: paid,
            cancellationPolicy: .flexible, status: .confirmed, note: nil, startsAt: start, endsAt: start, holdExpiresAt: nil, respondBy: nil,
            paid: paid, refunded: Money(amount: 0, currency: "MXN"), cancellationReason: nil, createdAt: start, updatedAt: start
        )
        #expect(BookingParty(Identity(userID: booking.travelerId, role: .traveler), of: booking) == .traveler)
        #expect(BookingParty(Identity(userID: booking.providerId, role: .provider), of: booking) == .provider)
        #expect(BookingParty(Identity(userID: UUID(), role: .admin), of: booking) == .provider)
        #expect(BookingParty(Identity(userID: UUID(), role: .traveler), of: booking) == nil)
        #expect(BookingParty(Identity(userID: UUID(), role: .provider), of: booking) == nil)
    }

    @Test func weeklySchedulesFollowTheLocalClockThroughDaylightSaving() throws {
        let madrid = TimeZone(identifier: "Europe/Madrid")!
        let schedule = WeeklySchedule(
            weekdays: [7], startTimes: [try #require(LocalTime("09:00")), try #require(LocalTime("02:30"))],
            from: try #require(LocalDate("2027-03-21")), until: try #require(LocalDate("2027-04-04")), timeZone: madrid
        )
        let instants = schedule.startInstants()
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let described = instants.map { utc.dateComponents([.month, .day, .hour, .minute], from: $0) }.map {
            "\($0.month!)-\($0.day!) \($0.hour!):\($0.minute!)"
        }
        // 21 March (CET, UTC+1), 28 March (the change: 02:30 does not exist, so 03:30 CEST), 4 April (CEST, UTC+2).
        #expect(described == ["3-21 1:30", "3-21 8:0", "3-28 1:30", "3-28 7:0", "4-4 0:30", "4-4 7:0"])
    }

    @Test func localDatesAndTimesAreStrict() {
        #expect(LocalDate("2027-02-29") == nil)
        #expect(LocalDate("2028-02-29") != nil)
        #expect(LocalDate("27-1-1") == nil)
        #expect(LocalTime("24:00") == nil)
        #expect(LocalTime("9:00") == nil)
        #expect(LocalTime("23:59")?.description == "23:59")
    }

    @Test func aSlotKeepsItsSoldSeatsWhenResized() {
        let slot = Slot(
            id: UUID(), experienceId: UUID(), startsAt: Date(), endsAt: Date(), capacity: 10, remaining: 4, status: .open, version: 1)
        #expect(slot.sold == 6)
        #expect(slot.resized(to: 5) == nil)
        #expect(slot.resized(to: 6)?.remaining == 0)
        #expect(slot.resized(to: 12).map { ($0.capacity, $0.remaining) } ?? (0, 0) == (12, 6))
    }
}
