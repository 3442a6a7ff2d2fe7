import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What Booking asks of Payment, through Booking's outbox: a payment per booking (idempotent on the booking), a
/// refund (once per outbox message), the release of escrow (once per booking).
struct InternalRoutes {
    let payment: PaymentService

    func addRoutes(to routes: InternalRouter) {
        routes.post("payments", from: .booking, use: create)
        routes.post("payments/refunds", from: .booking, use: refund)
        routes.post("payments/releases", from: .booking, use: release)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: BookingPayments.PaymentRequest.self, context: context)
        var validator = Validator()
        validator.check(body.amount.amount > 0, "amount.amount", "must be positive")
        validator.check(Money.isCurrencyCode(body.amount.currency), "amount.currency", "must be an ISO 4217 code")
        try validator.validate()
        if let existing = try await payment.payments.find(bookingID: body.bookingId) { return try .json(existing, status: .ok) }
        let now = payment.clock.now()
        var new = Payment(
            id: UUID(), bookingId: body.bookingId, travelerId: body.travelerId, providerId: body.providerId, amount: body.amount,
            refunded: Money(amount: 0, currency: body.amount.currency), disputed: Money(amount: 0, currency: body.amount.currency),
            status: .requiresPayment, description: String(body.description.prefix(500)),
            clientSecret: "", lastError: nil, createdAt: now, updatedAt: now
        )
        // The provider's charge first (idempotent on the booking), so that a stored payment always has one.
        let charge = try await payment.provider.createCharge(for: new)
        new.clientSecret = charge.clientSecret
        let stored = try await payment.transaction { connection in try await payment.payments.insert(new, reference: charge.reference, on: connection) }
        guard let stored else { throw Problem.internalError }
        return try .json(stored, status: stored.id == new.id ? .created : .ok)
    }

    @Sendable func refund(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: BookingPayments.RefundRequest.self, context: context)
        guard body.amount.amount > 0 else { throw Problem.invalid("amount.amount", "must be positive") }
        let messageID = request.headers[.outboxMessageID].flatMap(UUID.init(uuidString:))
        try await payment.transaction { connection in
            if let messageID, try await !Outbox.receive(messageID, on: connection, logger: payment.logger) { return }
            guard let found = try await payment.payments.find(bookingID: body.bookingId, on: connection, forUpdate: true) else {
                throw Problem.notFound("No payment for this booking.")
            }
            guard found.amount.currency == body.amount.currency else { throw Problem.invalid("amount.currency", "must be the payment's currency") }
            _ = try await payment.refund(found, amount: body.amount.amount, reason: body.reason, on: connection)
        }
        return Response(status: .noContent)
    }

    /// Splits what is left of a held payment between the provider and the commission. Releasing twice does nothing.
    @Sendable func release(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: BookingPayments.ReleaseRequest.self, context: context)
        try await payment.transaction { connection in
            guard var found = try await payment.payments.find(bookingID: body.bookingId, on: connection, forUpdate: true) else {
                throw Problem.notFound("No payment for this booking.")
            }
            guard found.status == .succeeded else { return }
            let now = payment.clock.now()
            let held = found.held
            let split = Split(held, commissionBasisPoints: try await payment.commissionBasisPoints(of: found.providerId, on: connection))
            if split.provider > 0 {
                try await payment.provider.transfer(
                    Money(amount: split.provider, currency: found.amount.currency), to: found.providerId, for: found,
                    idempotencyKey: "release-\(found.id.uuidString.lowercased())"
                )
            }
            try await payment.ledger.append(Ledger.release(split, to: found.providerId, found.amount.currency), paymentID: found.id, at: now, on: connection)
            found.status = .released
            try await payment.payments.save(found, at: now, on: connection)
        }
        return Response(status: .noContent)
    }
}
