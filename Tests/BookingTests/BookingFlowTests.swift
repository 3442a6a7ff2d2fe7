import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Booking

@Suite struct BookingFlowTests {
    @Test func anInstantBookingHoldsSeatsAsksPaymentAndConfirmsWhenPaid() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let slot = try await booking.slot(of: experience, by: provider, capacity: 10)

            let response = try await booking.book(slot, as: traveler, guests: 3)
            #expect(response.status == .created)
            let made = try response.decode(Booking.self)
            #expect(made.status == .pendingPayment)
            #expect(made.total == Money(amount: 255_000, currency: "MXN"))
            #expect(made.travelerId == traveler.id)
            #expect(made.providerId == provider.id)
            #expect(try await booking.remaining(slot) == 7)

            let payment = await booking.peers.first(BookingPayments.PaymentRequest.self, at: BookingPayments.PaymentRequest.path) { $0.bookingId == made.id }
            #expect(payment?.amount == made.total)
            #expect(payment?.travelerId == traveler.id)

            #expect(try await booking.paymentEvent(.succeeded, for: made).status == .noContent)
            let confirmed = try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self)
            #expect(confirmed.status == .confirmed)
            #expect(confirmed.paid == made.total)
            #expect(confirmed.holdExpiresAt == nil)

            let told = await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                $0.type == .bookingConfirmed && $0.recipientId == traveler.id
            }
            #expect(told?.data["experienceTitle"] == .string(experience.title))
            #expect(
                await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                    $0.type == .bookingReceived && $0.recipientId == provider.id
                } != nil)
            #expect(await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) { $0.booking?.id == made.id } != nil)
            // Search hears of the slot's seats left, from the job that coalesces slot changes.
            #expect(await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) { $0.slot?.id == slot.id && $0.slot?.remaining == 7 } != nil)
        }
    }

    /// Only Payment may say a booking was paid: another service's valid credential is refused and changes nothing.
    @Test func onlyPaymentReportsPayments() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let slot = try await booking.slot(of: try await booking.publishedExperience(of: provider), by: provider, capacity: 4)
            let made = try await booking.book(slot, as: traveler).decode(Booking.self)
            let messaging = await ServiceCredential(service: .messaging, secret: ServiceConfiguration.developmentSecret)
            let refused = try await booking.paymentEvent(.succeeded, for: made, caller: messaging)
            #expect(refused.status == .forbidden)
            #expect(try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self).status == .pendingPayment)
            #expect(try await booking.paymentEvent(.succeeded, for: made).status == .noContent)
        }
    }

    @Test func everySlotChangedInARoundReachesSearchOnce() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            var slots: [Slot] = []
            for day in 1...3 {
                slots.append(try await booking.slot(of: experience, by: provider, capacity: 5, daysAhead: Double(day)))
            }
            for slot in slots {
                #expect(try await booking.book(slot, as: traveler, guests: 2).status == .created)
            }
            for slot in slots {
                let told = await booking.peers.first(SearchFeedEvent.self, at: SearchFeedEvent.path) { $0.slot?.id == slot.id && $0.slot?.remaining == 3 }
                #expect(told != nil)
            }
            let unfed = try await booking.postgres.query("SELECT count(*) FROM slots WHERE experience_id = \(experience.id) AND version > fed_version")
            for try await count in unfed.decode(Int.self) { #expect(count == 0) }
            try await Task.sleep(for: .milliseconds(300))  // a few more rounds of the job
            let versions = await booking.peers.bodies(SearchFeedEvent.self, at: SearchFeedEvent.path).compactMap { event in
                event.slot.map { "\($0.id) \(event.version)" }
            }
            #expect(versions.count == Set(versions).count)
        }
    }

    @Test func bookingsAreTheirPartiesOnly() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let stranger = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider)
            let made = try await booking.book(try await booking.slot(of: experience, by: provider), as: traveler).decode(Booking.self)

            #expect(try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: stranger).status == .notFound)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(made.id)/cancel", as: stranger).status == .notFound)
            #expect(try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: provider).status == .ok)
            #expect(try await booking.send(.get, "/api/v1/bookings", as: stranger).decode(Page<Booking>.self).items.isEmpty)
            #expect(try await booking.send(.get, "/api/v1/bookings", as: traveler).decode(Page<Booking>.self).items.map(\.id) == [made.id])
            #expect(try await booking.send(.get, "/api/v1/bookings?role=provider", as: provider).decode(Page<Booking>.self).items.map(\.id) == [made.id])
            #expect(try await booking.send(.get, "/api/v1/bookings?role=pilot", as: provider).status == .badRequest)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(made.id)/accept", as: traveler).status == .forbidden)
        }
    }

    @Test func theSameIdempotencyKeyAnswersAsTheFirstTimeAndAnotherBodyIs422() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let slot = try await booking.slot(of: try await booking.publishedExperience(of: provider), by: provider, capacity: 10)
            let first = try await booking.book(slot, as: traveler, guests: 2, key: "try-1")
            let again = try await booking.book(slot, as: traveler, guests: 2, key: "try-1")
            #expect(first.status == .created)
            #expect(again.status == .created)
            #expect(try first.decode(Booking.self).id == again.decode(Booking.self).id)
            #expect(try await booking.remaining(slot) == 8)
            let other = try await booking.book(slot, as: traveler, guests: 3, key: "try-1")
            #expect(other.status == .unprocessableContent)
            #expect(other.problem?.code == "idempotency_key_reused")
            let noKey = try await booking.send(.post, "/api/v1/bookings", ["slotId": slot.id.uuidString, "guests": 1], as: traveler)
            #expect(noKey.problem?.errors?.first?.field == "Idempotency-Key")
            let tooMany = try await booking.book(slot, as: traveler, guests: 7)
            #expect(tooMany.problem?.errors?.first?.field == "guests")
            #expect(try await booking.remaining(slot) == 8)
            // Once the slot has sold out, a retry of the first request still answers as the first time.
            for _ in 0..<2 { #expect(try await booking.book(slot, as: try await BookingHarness.user(.traveler), guests: 4).status == .created) }
            #expect(try await booking.remaining(slot) == 0)
            let late = try await booking.book(slot, as: traveler, guests: 2, key: "try-1")
            #expect(late.status == .created)
            #expect(try late.decode(Booking.self).id == first.decode(Booking.self).id)
        }
    }

    @Test func twoHundredTravelersRaceForFiveSeatsAndExactlyFiveWin() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let slot = try await booking.slot(of: try await booking.publishedExperience(of: provider), by: provider, capacity: 5)
            var travelers: [BookingHarness.User] = []
            for _ in 0..<200 { travelers.append(try await BookingHarness.user(.traveler)) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for traveler in travelers {
                    group.addTask { try await booking.book(slot, as: traveler).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 5)
            #expect(statuses.filter { $0 == .conflict }.count == 195)
            #expect(try await booking.remaining(slot) == 0)
            let sold = try await booking.postgres.query("SELECT coalesce(sum(guests), 0)::int FROM bookings WHERE slot_id = \(slot.id)")
            for try await seats in sold.decode(Int.self) { #expect(seats == 5) }
        }
    }

    @Test func anUnpaidHoldExpiresAndItsSeatsReturn() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let slot = try await booking.slot(of: try await booking.publishedExperience(of: provider), by: provider, capacity: 4)
            let made = try await booking.book(slot, as: traveler, guests: 4).decode(Booking.self)
            #expect(try await booking.remaining(slot) == 0)
            booking.clock.advance(by: 15 * 60 + 1)
            let expired = try await eventually {
                try await booking.send(.get, "/api/v1/bookings/\(made.id)", as: traveler).decode(Booking.self).status == .expired
            }
            #expect(expired)
            #expect(try await booking.remaining(slot) == 4)
            // A payment that arrives after the hold went straight back.
            #expect(try await booking.paymentEvent(.succeeded, for: made).status == .noContent)
            let refund = await booking.peers.first(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path) { $0.bookingId == made.id }
            #expect(refund?.amount == made.total)
        }
    }

    @Test func requestsAreAcceptedDeclinedOrDeclinedForThemAfterADay() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let experience = try await booking.publishedExperience(of: provider, mode: "request")
            let slot = try await booking.slot(of: experience, by: provider, capacity: 10)

            let accepted = try await booking.paidBooking(slot, as: traveler)
            #expect(accepted.status == .awaitingProvider)
            #expect(accepted.respondBy != nil)
            let answer = try await booking.send(.post, "/api/v1/bookings/\(accepted.id)/accept", as: provider)
            #expect(try answer.decode(Booking.self).status == .confirmed)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(accepted.id)/decline", as: provider).status == .conflict)

            let declined = try await booking.paidBooking(slot, as: traveler, guests: 2)
            let no = try await booking.send(.post, "/api/v1/bookings/\(declined.id)/decline", ["reason": "Boat in repair"], as: provider)
            #expect(try no.decode(Booking.self).status == .declined)
            let refund = await booking.peers.first(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path) { $0.bookingId == declined.id }
            #expect(refund?.amount == declined.total)

            let ignored = try await booking.paidBooking(slot, as: traveler, guests: 3)
            #expect(try await booking.remaining(slot) == 6)
            booking.clock.advance(by: 24 * 3600 + 1)
            let timedOut = try await eventually {
                try await booking.send(.get, "/api/v1/bookings/\(ignored.id)", as: traveler).decode(Booking.self).status == .declined
            }
            #expect(timedOut)
            #expect(try await booking.remaining(slot) == 9)
            #expect(
                await booking.peers.first(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path) { $0.bookingId == ignored.id }?.amount
                    == ignored.total)
        }
    }

    @Test func cancellationsRefundByPolicyOnceAndReturnTheSeats() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let moderate = try await booking.publishedExperience(of: provider, policy: "moderate")
            // Three days ahead: inside the five-day window, so half back.
            let slot = try await booking.slot(of: moderate, by: provider, capacity: 10, daysAhead: 3)
            let paid = try await booking.paidBooking(slot, as: traveler, guests: 3)
            #expect(paid.status == .confirmed)

            // The quote shows what the cancellation will give, and changes nothing; only the booking's parties see it.
            let quote = try await booking.send(.get, "/api/v1/bookings/\(paid.id)/cancellation", as: traveler)
            #expect(quote.status == .ok, "\(quote.text)")
            let quoted = try quote.decode(CancellationQuote.self)
            #expect(quoted.refund == Money(amount: 127_500, currency: "MXN"))
            #expect(quoted.cancellationPolicy == .moderate)
            let stranger = try await BookingHarness.user(.traveler)
            #expect(try await booking.send(.get, "/api/v1/bookings/\(paid.id)/cancellation", as: stranger).status == .notFound)
            #expect(try await booking.remaining(slot) == 7)

            let cancelled = try await booking.send(.post, "/api/v1/bookings/\(paid.id)/cancel", ["reason": "Flight moved"], as: traveler)
            let after = try cancelled.decode(Booking.self)
            #expect(after.status == .cancelledByTraveler)
            #expect(after.refunded == Money(amount: 127_500, currency: "MXN"))
            #expect(after.cancellationReason == "Flight moved")
            #expect(try await booking.remaining(slot) == 10)
            let twice = try await booking.send(.post, "/api/v1/bookings/\(paid.id)/cancel", as: traveler)
            #expect(twice.status == .ok)
            #expect(try await booking.send(.get, "/api/v1/bookings/\(paid.id)/cancellation", as: traveler).problem?.code == "invalid_transition")
            #expect(try twice.decode(Booking.self).refunded == after.refunded)
            try await Task.sleep(for: .milliseconds(300))
            #expect(
                await booking.peers.bodies(BookingPayments.RefundRequest.self, at: BookingPayments.RefundRequest.path).filter { $0.bookingId == paid.id }.count
                    == 1)
            #expect(
                await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                    $0.type == .bookingCancelled && $0.recipientId == provider.id
                } != nil)

            // The provider cancelling refunds everything, whatever the policy.
            let other = try await booking.paidBooking(slot, as: traveler, guests: 2)
            let providersQuote = try await booking.send(.get, "/api/v1/bookings/\(other.id)/cancellation", as: provider).decode(CancellationQuote.self)
            #expect(providersQuote.refund == other.total)
            let byProvider = try await booking.send(.post, "/api/v1/bookings/\(other.id)/cancel", as: provider).decode(Booking.self)
            #expect(byProvider.status == .cancelledByProvider)
            #expect(byProvider.refunded == other.total)
        }
    }

    /// The policy and the price are the booking's, copied when it was made: a provider who makes the policy strict
    /// and the price higher afterwards changes neither the refund nor the total of bookings already made.
    @Test func aBookingKeepsThePolicyAndPriceItWasMadeWith() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let flexible = try await booking.publishedExperience(of: provider, policy: "flexible")
            let slot = try await booking.slot(of: flexible, by: provider, capacity: 10, daysAhead: 3)
            let paid = try await booking.paidBooking(slot, as: traveler, guests: 2)
            #expect(paid.cancellationPolicy == .flexible)

            let price: [String: any Sendable] = ["amount": 999_900, "currency": "MXN"]
            let changed = try await booking.send(.patch, "/api/v1/experiences/\(flexible.id)", ["cancellationPolicy": "strict", "price": price], as: provider)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(try changed.decode(Experience.self).cancellationPolicy == .strict)

            let cancelled = try await booking.send(.post, "/api/v1/bookings/\(paid.id)/cancel", as: traveler).decode(Booking.self)
            #expect(cancelled.cancellationPolicy == .flexible)
            #expect(cancelled.total == paid.total)
            // Flexible, three days ahead: everything back (strict would give nothing).
            #expect(cancelled.refunded == paid.total)
            // A booking made now is made under the new terms.
            let later = try await booking.book(slot, as: traveler).decode(Booking.self)
            #expect(later.cancellationPolicy == .strict)
            #expect(later.total.amount == 999_900)
        }
    }

    @Test func finishedExperiencesCompleteReleaseEscrowAndAskForAReview() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let slot = try await booking.slot(of: try await booking.publishedExperience(of: provider), by: provider, daysAhead: 2)
            let made = try await booking.paidBooking(slot, as: traveler)

            booking.clock.advance(by: 86_400 + 60)
            #expect(
                await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                    $0.type == .bookingReminder && $0.recipientId == traveler.id
                } != nil)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(made.id)/cancel", as: traveler).decode(Booking.self).refunded.amount == 0)
            let second = try await booking.paidBooking(slot, as: traveler)
            booking.clock.advance(by: 86_400 + 3 * 3600)
            let completed = try await eventually {
                try await booking.send(.get, "/api/v1/bookings/\(second.id)", as: traveler).decode(Booking.self).status == .completed
            }
            #expect(completed)
            #expect(
                await booking.peers.first(BookingPayments.ReleaseRequest.self, at: BookingPayments.ReleaseRequest.path) { $0.bookingId == second.id } != nil)
            #expect(
                await booking.peers.first(NotificationRequest.self, at: NotificationRequest.path) { $0.type == .reviewRequest && $0.recipientId == traveler.id }
                    != nil)
            #expect(try await booking.send(.post, "/api/v1/bookings/\(second.id)/cancel", as: traveler).status == .conflict)
        }
    }

    @Test func aPaymentRequestWaitsForAPaymentServiceThatIsDown() async throws {
        try await BookingHarness.run { booking in
            let provider = try await BookingHarness.user(.provider)
            let traveler = try await BookingHarness.user(.traveler)
            let slot = try await booking.slot(of: try await booking.publishedExperience(of: provider), by: provider)
            await booking.peers.setDown(true)
            let made = try await booking.book(slot, as: traveler).decode(Booking.self)
            try await Task.sleep(for: .milliseconds(500))
            #expect(await booking.peers.bodies(BookingPayments.PaymentRequest.self, at: BookingPayments.PaymentRequest.path).isEmpty)
            await booking.peers.setDown(false)
            #expect(await booking.peers.first(BookingPayments.PaymentRequest.self, at: BookingPayments.PaymentRequest.path) { $0.bookingId == made.id } != nil)
        }
    }
}
