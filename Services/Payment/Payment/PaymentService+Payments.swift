import Contracts
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// The use cases of a booking's payment: made for Booking, read and paid by its parties, refunded by Booking or an
/// admin, released to the provider after the experience.
extension PaymentService {
    /// Booking's payment for `request.bookingId`, made once: the provider's charge first (idempotent on the booking),
    /// so that a stored payment always has one. Whether it was made now.
    func createPayment(_ request: BookingPayments.PaymentRequest) async throws -> (Payment, created: Bool) {
        if let existing = try await payments.find(bookingID: request.bookingId) { return (existing, false) }
        var new = Payment(request, at: clock.now())
        let charge = try await provider.createCharge(for: new)
        new.clientSecret = charge.clientSecret
        let experience = request.experienceId.map { ($0, request.experienceTitle ?? request.description) }
        guard let stored = try await transaction({ try await payments.insert(new, reference: charge.reference, experience: experience, on: $0) }) else {
            throw Problem.internalError
        }
        return (stored, stored.id == new.id)
    }

    /// Payment `id`, for its parties only: anyone else is told it does not exist.
    func payment(_ id: UUID, seenBy identity: Identity) async throws -> Payment {
        guard let found = try await payments.find(id), isParty(identity, to: found) else { throw Self.paymentNotFound }
        return found
    }

    /// The booking's payment, for its parties only.
    func payment(ofBooking bookingID: UUID, seenBy identity: Identity) async throws -> Payment? {
        try await payments.find(bookingID: bookingID).flatMap { isParty(identity, to: $0) ? $0 : nil }
    }

    /// The traveler pays payment `id` with a local test card whose outcome is `outcome`: captured, or declined with
    /// Stripe's code (a 402 the traveler may answer with another card). Paying twice changes nothing.
    func pay(_ id: UUID, outcome: TestCard.Outcome, as identity: Identity) async throws -> Payment {
        let result: Result<Payment, Problem> = try await transaction { connection in
            guard var found = try await payments.find(id, on: connection, forUpdate: true), isParty(identity, to: found) else {
                throw Self.paymentNotFound
            }
            guard found.travelerId == identity.userID else { throw Problem.forbidden("Only the traveler pays for a booking.") }
            guard found.isUnpaid else { return .success(found) }
            switch outcome {
            case .succeeded:
                return .success(try await capture(found, on: connection))
            case .requiresAction:
                found.status = .requiresAction
                found.lastError = nil
                found.nextAction = NextAction(type: "redirect_to_url", redirectUrl: "/api/v1/payments/\(found.id.lowercasedString)/authenticate")
                try await payments.save(found, at: clock.now(), on: connection)
                return .success(found)
            case .declined(let code, let message):
                found.lastError = code
                try await payments.save(found, at: clock.now(), on: connection)
                return .failure(Problem(Self.paymentRequired, detail: message, code: code))
            }
        }
        return try result.get()
    }

    /// The traveler answers the local provider's 3-D Secure challenge of payment `id`: approved, it is captured;
    /// failed, it waits for another card, as Stripe's `payment_intent.payment_failed` leaves it.
    func authenticate(_ id: UUID, approved: Bool, as identity: Identity) async throws -> Payment {
        try await transaction { connection in
            guard var found = try await payments.find(id, on: connection, forUpdate: true), found.travelerId == identity.userID else {
                throw Self.paymentNotFound
            }
            guard found.status == .requiresAction else { throw Problem.conflict("This payment asks for no authentication.", code: "no_action_required") }
            guard !approved else { return try await capture(found, on: connection) }
            found.status = .requiresPayment
            found.nextAction = nil
            found.lastError = "payment_intent_authentication_failure"
            try await payments.save(found, at: clock.now(), on: connection)
            return found
        }
    }

    /// An admin gives back `amount` of payment `id` (all that is left when `nil`), whatever the booking's policy says;
    /// the audit log hears of it with the refund's claim.
    func refund(_ id: UUID, amount: Int64?, reason: String, by admin: Identity, from address: String?) async throws -> Payment {
        try await moveMoney(of: id) { found, connection in
            if let amount, amount > found.held { throw Problem.refused("amount", "must be at most \(found.held), what is left to refund") }
            try Self.requirePaid(found)
            let refunded = Money(amount: amount ?? found.held, currency: found.amount.currency)
            let action = AdminAction(
                adminId: admin.userID, action: "payment_refunded", subject: found.id.lowercasedString, detail: "\(refunded.formatted): \(reason)",
                address: address, occurredAt: clock.now())
            try await Outbox.enqueue(action, on: connection, logger: logger)
            return ProviderCall.refund(of: found, upTo: refunded.amount, reason: reason)
        }
    }

    /// Booking's refund, once per outbox message `message`. A refusal leaves the message unreceived, so that Booking's
    /// outbox asks again (and its dead letters show it) rather than the refund vanishing.
    func refund(_ request: BookingPayments.RefundRequest, message: UUID?) async throws {
        let id = try await paymentID(ofBooking: request.bookingId)
        do {
            _ = try await moveMoney(of: id) { found, connection in
                if let message, try await !Outbox.receive(message, on: connection, logger: logger) { return nil }
                try Self.requirePaid(found)
                guard found.amount.currency == request.amount.currency else { throw Problem.invalid("amount.currency", "must be the payment's currency") }
                return ProviderCall.refund(of: found, upTo: request.amount.amount, reason: request.reason)
            }
        } catch let refusal as ProviderError where refusal.isRefusal {
            if let message { try await transaction { try await Outbox.forget(message, on: $0, logger: logger) } }
            throw refusal
        }
    }

    /// Splits what the booking's payment still holds between the provider and the commission. Releasing twice, or
    /// before it is paid, does nothing.
    func release(booking bookingID: UUID) async throws {
        let id = try await paymentID(ofBooking: bookingID)
        _ = try await moveMoney(of: id) { found, connection in
            guard found.status == .succeeded else { return nil }
            return ProviderCall.release(of: found, commissionBasisPoints: try await commissionBasisPoints(of: found.providerId, on: connection))
        }
    }

    /// Invoice `id` as its reader sees it: the traveler's receipt, or the provider's invoice with the commission.
    func invoice(_ id: UUID, seenBy identity: Identity) async throws -> Invoice {
        guard let (number, issuedAt, paymentID) = try await invoices.find(id), let paid = try await payments.find(paymentID), isParty(identity, to: paid) else {
            throw Problem.notFound("No such invoice.")
        }
        return Invoice(
            id: id, number: number, issuedAt: issuedAt, payment: paid, audience: identity.userID == paid.travelerId ? .traveler : .provider,
            commissionBasisPoints: try await commissionBasisPoints(of: paid.providerId)
        )
    }

    /// Whether every ledger transaction balances: the unbalanced ones and the number of postings checked.
    func checkLedger() async throws -> (unbalanced: [UUID], postings: Int) {
        try await ledger.check()
    }

    static let paymentRequired = HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")

    private func paymentID(ofBooking bookingID: UUID) async throws -> UUID {
        guard let found = try await payments.find(bookingID: bookingID) else { throw Problem.notFound("No payment for this booking.") }
        return found.id
    }

    private static func requirePaid(_ payment: Payment) throws {
        guard !payment.isUnpaid else { throw Problem.conflict("Nothing has been paid yet.", code: "not_paid") }
    }
}
