import Contracts
import Foundation
import PostgresNIO
import ServiceKit

extension BookingService {
    /// Applies `event` to a booking that the caller has locked (`FOR UPDATE`) and carries out what the transition
    /// means: seats back to the slot, the refund owed, the status saved, and the people concerned told.
    func apply(_ event: BookingStateMachine.Event, to booking: Booking, reason: String? = nil, on connection: PostgresConnection) async throws -> Booking {
        let transition: BookingStateMachine.Transition
        switch BookingStateMachine.apply(event, to: booking.status) {
        case .success(let found): transition = found
        case .failure:
            throw Problem.conflict(
                "A booking that is \(booking.status.rawValue.replacingOccurrences(of: "_", with: " ")) cannot change that way.", code: "invalid_transition")
        }
        guard transition.changed || transition.refund != .none else { return booking }
        guard let experience = try await experiences.find(booking.experienceId, on: connection) else { throw Problem.notFound() }
        let now = clock.now()
        var updated = booking
        if transition.changed {
            updated.status = transition.status
            updated.cancellationReason = reason ?? booking.cancellationReason
            updated.holdExpiresAt = transition.status == .pendingPayment ? booking.holdExpiresAt : nil
            updated.respondBy = transition.status == .awaitingProvider ? now.addingTimeInterval(settings.responseWindow) : nil
        }
        if transition.releasesSeats {
            try await slots.release(booking.guests, to: booking.slotId, on: connection)
        }
        let refund = owed(transition.refund, booking: booking, policy: booking.cancellationPolicy, at: now)
        if refund.amount > 0 {
            let reason = transition.changed ? transition.status.rawValue : "late payment"
            try await send(BookingPayments.RefundRequest(bookingId: booking.id, amount: refund, reason: reason), on: connection)
            updated.refunded.amount += refund.amount
        }
        try await bookings.save(updated, at: now, on: connection)
        if transition.changed {
            try await announce(updated, from: booking.status, experience: experience, refund: refund, on: connection)
            ServiceMetrics.count("mayago.bookings.transitions", [("to", updated.status.rawValue)])
        }
        return updated
    }

    /// What goes back to the traveler: nothing, all that is left, or what the policy gives (never more than is left).
    func owed(_ refund: BookingStateMachine.Refund, booking: Booking, policy: CancellationPolicy, at now: Date) -> Money {
        let left = booking.paid.amount - booking.refunded.amount
        let amount: Int64 =
            switch refund {
            case .none: 0
            case .full: left
            case .policy: min(left, policy.refund(of: booking.paid, startsAt: booking.startsAt, cancelledAt: now).amount)
            }
        return Money(amount: max(0, amount), currency: booking.total.currency)
    }

    /// Tells Notify, Search and Payment what the new status means for them.
    private func announce(
        _ booking: Booking, from previous: BookingStatus, experience: Experience, refund: Money, on connection: PostgresConnection
    ) async throws {
        let refundData: [String: JSONValue] = ["refund": .object(["amount": .number(Double(refund.amount)), "currency": .string(refund.currency)])]
        switch booking.status {
        case .confirmed:
            try await notify(.bookingConfirmed, booking.travelerId, booking, experience, on: connection)
            try await notify(.bookingReceived, booking.providerId, booking, experience, extra: ["status": .string(booking.status.rawValue)], on: connection)
            try await feed(
                SearchFeedEvent(
                    kind: .bookingConfirmed, version: 1, occurredAt: clock.now(),
                    booking: .init(id: booking.id, experienceId: booking.experienceId, travelerId: booking.travelerId, guests: booking.guests)
                ),
                on: connection
            )
        case .awaitingProvider:
            try await notify(.bookingReceived, booking.providerId, booking, experience, extra: ["status": .string(booking.status.rawValue)], on: connection)
        case .declined:
            try await notify(.bookingDeclined, booking.travelerId, booking, experience, extra: refundData, on: connection)
        case .cancelledByTraveler where previous != .pendingPayment:
            try await notify(
                .bookingCancelled, booking.providerId, booking, experience, extra: refundData.merging(["cancelledBy": .string("traveler")]) { $1 },
                on: connection)
        case .cancelledByProvider:
            try await notify(
                .bookingCancelled, booking.travelerId, booking, experience, extra: refundData.merging(["cancelledBy": .string("provider")]) { $1 },
                on: connection)
        case .completed:
            try await send(BookingPayments.ReleaseRequest(bookingId: booking.id), on: connection)
            try await notify(.reviewRequest, booking.travelerId, booking, experience, on: connection)
        case .pendingPayment, .expired, .cancelledByTraveler:
            break
        }
    }

    /// What Payment says of a booking's payment, once per outbox message `message`: paid moves the booking on (to
    /// confirmed, or to the provider's answer), failed releases its seats.
    func apply(_ event: BookingPayments.PaymentEvent, message: UUID?) async throws {
        try await transaction { connection in
            if let message, try await !Outbox.receive(message, on: connection, logger: logger) { return }
            guard var found = try await bookings.find(event.bookingId, on: connection, forUpdate: true) else {
                throw Problem.notFound("No such booking.")
            }
            switch event.kind {
            case .succeeded:
                guard let experience = try await experiences.find(found.experienceId, on: connection) else { throw Problem.notFound() }
                try await bookings.setPayment(event.paymentId, of: found.id, on: connection)
                if found.paid.amount == 0 { found.paid = event.amount }
                _ = try await apply(.paymentSucceeded(instantBook: experience.bookingMode == .instant), to: found, on: connection)
            case .failed:
                _ = try await apply(.paymentFailed, to: found, on: connection)
            case .refunded:
                // The refund Booking asked for went through; nothing changes here.
                break
            }
        }
    }
}
