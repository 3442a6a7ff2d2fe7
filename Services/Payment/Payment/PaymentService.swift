import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Everything Payment's routes share, assembled once by `buildApplication`.
struct PaymentService: Sendable {
    let logger: Logger
    let clock: WallClock
    let settings: PaymentSettings
    let payments: Payments
    let ledger: LedgerBook
    let payouts: Payouts
    let sync: ProviderSync
    let reports: Reports
    let invoices: Invoices
    let stripeEvents: StripeEvents
    let terms: ProviderTerms
    let idempotency: IdempotentRequests
    let provider: any ChargeProvider
    let outbox: OutboxRelay

    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await outbox.transaction(body)
    }

    /// Tells Booking what happened to a booking's payment, in the caller's transaction.
    func tellBooking(_ kind: BookingPayments.PaymentEvent.Kind, _ payment: Payment, amount: Int64, on connection: PostgresConnection) async throws {
        let event = BookingPayments.PaymentEvent(
            bookingId: payment.bookingId, paymentId: payment.id, kind: kind,
            amount: Money(amount: amount, currency: payment.amount.currency), occurredAt: clock.now()
        )
        try await Outbox.enqueue(event, on: connection, logger: logger)
    }

    /// Records `amount` of a locked, paid `payment` as given back to the traveler, never more than it holds: out of
    /// escrow before the release, out of the provider's balance after it. Returns the payment after.
    func recordRefund(_ amount: Int64, of payment: Payment, reason: String, on connection: PostgresConnection) async throws -> Payment {
        let refunded = min(amount, payment.held)
        guard refunded > 0 else { return payment }
        let now = clock.now()
        let source: Ledger.Account = payment.status == .released ? .provider(payment.providerId) : .escrow
        try await ledger.append(Ledger.refund(refunded, payment.amount.currency, from: source), paymentID: payment.id, at: now, on: connection)
        var updated = payment
        updated.refunded.amount += refunded
        try await payments.save(updated, at: now, on: connection)
        try await payments.recordRefund(of: refunded, to: payment.id, reason: reason, at: now, on: connection)
        try await tellBooking(.refunded, updated, amount: refunded, on: connection)
        ServiceMetrics.count("mayago.payments.refunds", [("currency", payment.amount.currency)])
        return updated
    }

    /// The traveler's money arrived (a test card, or Stripe's webhook): it is held in escrow, Booking hears of it and
    /// the invoice is opened (numbered and sent as a receipt by ``InvoiceNumbering``). `payment` is locked and not
    /// paid yet.
    func capture(_ payment: Payment, on connection: PostgresConnection) async throws -> Payment {
        let now = clock.now()
        try await ledger.append(Ledger.charge(payment.amount.amount, payment.amount.currency), paymentID: payment.id, at: now, on: connection)
        var paid = payment
        paid.status = .succeeded
        paid.lastError = nil
        paid.nextAction = nil
        try await payments.save(paid, at: now, on: connection)
        try await tellBooking(.succeeded, paid, amount: paid.amount.amount, on: connection)
        try await invoices.open(for: paid.id, at: now, on: connection)
        ServiceMetrics.count("mayago.payments.captured", [("currency", paid.amount.currency)])
        return paid
    }

    /// Sends the traveler the receipt of a numbered invoice, in the caller's transaction.
    func sendReceipt(invoice id: UUID, number: String, for payment: Payment, on connection: PostgresConnection) async throws {
        let receipt = NotificationRequest(
            type: .paymentReceipt, recipientId: payment.travelerId,
            data: [
                "invoiceId": .string(id.lowercasedString), "number": .string(number), "description": .string(payment.description),
                "total": .object(["amount": .number(Double(payment.amount.amount)), "currency": .string(payment.amount.currency)]),
            ],
            idempotencyKey: "receipt:\(payment.id.lowercasedString)"
        )
        try await Outbox.enqueue(receipt, on: connection, logger: logger)
    }

    /// The commission on `providerID`'s payments: the one an admin agreed with them, or the platform's.
    func commissionBasisPoints(of providerID: UUID, on connection: PostgresConnection? = nil) async throws -> Int {
        try await terms.commission(of: providerID, on: connection) ?? settings.commissionBasisPoints
    }

    static let paymentNotFound = Problem.notFound("No such payment.")

    /// Whether the caller may see `payment`: its payer, its provider, an admin.
    func isParty(_ identity: Identity, to payment: Payment) -> Bool {
        identity.userID == payment.travelerId || identity.userID == payment.providerId || identity.role == .admin
    }
}
