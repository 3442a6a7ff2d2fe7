import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What Booking asks of Payment, through Booking's outbox: a payment per booking (idempotent on the booking), a
/// refund (once per outbox message), the release of escrow (once per booking); and what Auth gathers for a person's
/// data export.
struct InternalRoutes {
    let payment: PaymentService

    @Sendable func export(_ request: Request, context: ServiceRequestContext) async throws -> AccountExport {
        AccountExport(service: .payment, records: try await payment.reports.records(of: try context.parameters.require("id", as: UUID.self)))
    }

    func addRoutes(to routes: InternalRouter) {
        routes.post(BookingPayments.PaymentRequest.self, from: .booking, use: create)
        routes.get(AccountExport.route, from: .auth, use: export)
        routes.post(BookingPayments.RefundRequest.self, from: .booking, use: refund)
        routes.post(BookingPayments.ReleaseRequest.self, from: .booking, use: release)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: BookingPayments.PaymentRequest.self, context: context)
        var validator = Validator()
        validator.check(body.amount.amount > 0, "amount.amount", "must be positive")
        validator.check(Money.isCurrencyCode(body.amount.currency), "amount.currency", "must be an ISO 4217 code")
        try validator.validate()
        let (stored, created) = try await payment.createPayment(body)
        return try .json(stored, status: created ? .created : .ok)
    }

    @Sendable func refund(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: BookingPayments.RefundRequest.self, context: context)
        guard body.amount.amount > 0 else { throw Problem.invalid("amount.amount", "must be positive") }
        try await payment.refund(body, message: request.headers[.outboxMessageID].flatMap(UUID.init(uuidString:)))
        return Response(status: .noContent)
    }

    @Sendable func release(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: BookingPayments.ReleaseRequest.self, context: context)
        try await payment.release(booking: body.bookingId)
        return Response(status: .noContent)
    }
}
