import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Money that moves at the provider (refunds, releases), never with a transaction open: see ``ProviderCall``.
extension PaymentService {
    /// Moves money of payment `id`: `decide` looks at the locked payment and names the call to make (`nil`: none);
    /// the call is claimed, sent, then applied. A claim found waiting on the payment is finished first. A refusal is
    /// rethrown with nothing moved; a provider out of reach leaves the claim for the next try (``ClaimedCallJob``).
    /// Returns the payment after.
    func moveMoney(of id: UUID, _ decide: (Payment, PostgresConnection) async throws -> ProviderCall?) async throws -> Payment {
        try await finishClaimedCall(of: id)
        let (found, call) = try await transaction { connection in
            guard let found = try await payments.find(id, on: connection, forUpdate: true) else { throw Self.paymentNotFound }
            guard try await payments.claimedCall(of: id, on: connection) == nil else {
                throw Problem.conflict("Another movement of this payment's money is under way; try again.", code: "payment_busy")
            }
            guard let call = try await decide(found, connection) else { return (found, nil as ProviderCall?) }
            try await payments.setClaimedCall(call, of: id, at: clock.now(), on: connection)
            return (found, call)
        }
        guard let call else { return found }
        return try await finish(call, of: found)
    }

    /// Finishes the call claimed on payment `id`, if there is one, whoever claimed it: its sender stopped, or is
    /// still at it (the idempotency key makes both sends one). A refusal drops the claim; its sender answered for it.
    func finishClaimedCall(of id: UUID) async throws {
        guard let call = try await payments.claimedCall(of: id), let found = try await payments.find(id) else { return }
        do {
            _ = try await finish(call, of: found)
        } catch let refusal as ProviderError where refusal.isRefusal {
            logger.warning("The provider refused a claimed call", metadata: ["paymentId": "\(id)", "error": "\(refusal)"])
        }
    }

    private func finish(_ call: ProviderCall, of payment: Payment) async throws -> Payment {
        do {
            try await send(call, for: payment)
        } catch let refusal as ProviderError where refusal.isRefusal {
            _ = try await settle(call, of: payment.id) { found, _ in found }
            throw refusal
        }
        return try await settle(call, of: payment.id) { found, connection in try await apply(call, to: found, on: connection) }
    }

    private func send(_ call: ProviderCall, for payment: Payment) async throws {
        let currency = payment.amount.currency
        switch call {
        case .refund(let amount, _, let key):
            guard let reference = try await payments.reference(of: payment.id) else { return }
            try await provider.refund(Money(amount: amount, currency: currency), of: reference, idempotencyKey: key)
        case .release(let split, let key):
            guard split.provider > 0 else { return }
            try await provider.transfer(Money(amount: split.provider, currency: currency), to: payment.providerId, for: payment, idempotencyKey: key)
        }
    }

    /// Runs `body` on the locked payment and clears the claim, unless another sender settled it first; then applies
    /// the webhook events that waited for the claim to end.
    private func settle(_ call: ProviderCall, of id: UUID, _ body: (Payment, PostgresConnection) async throws -> Payment) async throws -> Payment {
        try await transaction { connection in
            guard let found = try await payments.find(id, on: connection, forUpdate: true) else { throw Self.paymentNotFound }
            guard try await payments.claimedCall(of: id, on: connection) == call else { return found }
            let settled = try await body(found, connection)
            try await payments.setClaimedCall(nil, of: id, at: clock.now(), on: connection)
            try await applyWaitingEvents(for: id, on: connection)
            return try await payments.find(id, on: connection) ?? settled
        }
    }

    private func apply(_ call: ProviderCall, to payment: Payment, on connection: PostgresConnection) async throws -> Payment {
        switch call {
        case .refund(let amount, let reason, _):
            return try await recordRefund(amount, of: payment, reason: reason, on: connection)
        case .release(let split, _):
            let now = clock.now()
            try await ledger.append(Ledger.release(split, to: payment.providerId, payment.amount.currency), paymentID: payment.id, at: now, on: connection)
            var released = payment
            released.status = .released
            try await payments.save(released, at: now, on: connection)
            return released
        }
    }
}
