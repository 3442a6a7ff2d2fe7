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

    func bookable(remaining: Int = 5, status: Slot.Status = .open, experience: Experience.Status? = .published, busy: Bool = false) -> BookableSlot {
        BookableSlot(
            slot: Slot(
                id: UUID(), experienceId: UUID(), startsAt: start, endsAt: start.addingTimeInterval(hour), capacity: 8, remaining: remaining, status: status,
                version: 1),
            providerID: UUID(), experienceStatus: experience, title: "Tacos", maxGuests: 6, price: Money(amount: 45_000, currency: "MXN"),
            cancellationPolicy: .moderate, providerBusy: busy
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
