import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// The use case of Stripe's webhook: each event is kept once by id and applied idempotently; one that arrives
/// before what it depends on (a refund or a dispute before the payment succeeded) waits and is applied after it.
extension PaymentService {
    func receive(_ event: StripeEvent, payload: Data) async throws {
        try await transaction { connection in
            let paymentID = try await paymentID(of: event, on: connection)
            let text = String(decoding: payload, as: UTF8.self)
            guard try await stripeEvents.insert(event, paymentID: paymentID, payload: text, at: clock.now(), on: connection) else { return }
            if event.type.hasPrefix("payout.") {
                try await applyPayout(payload, on: connection)
                try await stripeEvents.markProcessed(event.id, at: clock.now(), on: connection)
            } else if let paymentID {
                try await applyWaitingEvents(for: paymentID, on: connection)
            }
        }
    }

    /// The payment an event is about: named in the object's metadata (PaymentIntents and their charges), or by its
    /// PaymentIntent (disputes).
    private func paymentID(of event: StripeEvent, on connection: PostgresConnection) async throws -> UUID? {
        if let id = event.paymentID { return id }
        guard let intent = event.paymentIntent else { return nil }
        return try await payments.find(reference: intent, on: connection)
    }

    /// `payout.paid` and `payout.failed` of a connected account: the payout object says where it stands now, so
    /// events in any order end where Stripe is.
    private func applyPayout(_ payload: Data, on connection: PostgresConnection) async throws {
        let event = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
        guard let object = (event?["data"] as? [String: Any])?["object"] as? [String: Any], let answer = StripeProvider.payout(object),
            let payout = try await payouts.find(answer.payoutID, reference: answer.reference, on: connection)
        else { return }
        try await settle(payout, as: answer, on: connection)
    }

    /// Applies the payment's unapplied events, oldest first, until none can go further.
    func applyWaitingEvents(for paymentID: UUID, on connection: PostgresConnection) async throws {
        var progressed = true
        while progressed {
            progressed = false
            for (id, text) in try await stripeEvents.unprocessed(of: paymentID, on: connection) {
                guard let event = try? JSONDecoder().decode(StripeEvent.self, from: Data(text.utf8)), try await apply(event, to: paymentID, on: connection)
                else { continue }
                try await stripeEvents.markProcessed(id, at: clock.now(), on: connection)
                progressed = true
            }
        }
    }

    /// Whether `event` could be applied now (or never needs to be). Events wait while a provider call is claimed on
    /// the payment: what they report may be that very call.
    private func apply(_ event: StripeEvent, to paymentID: UUID, on connection: PostgresConnection) async throws -> Bool {
        guard var found = try await payments.find(paymentID, on: connection, forUpdate: true),
            try await payments.claimedCall(of: paymentID, on: connection) == nil
        else { return false }
        switch event.type {
        case "payment_intent.succeeded":
            if found.isUnpaid { _ = try await capture(found, on: connection) }
            return true
        case "payment_intent.requires_action":
            guard found.isUnpaid else { return true }
            found.status = .requiresAction
            let next = event.data.object["next_action"]
            let type = if case .string(let text)? = next?["type"] { text } else { "use_stripe_sdk" }
            let url = if case .string(let text)? = next?["redirect_to_url"]?["url"] { text } else { String?.none }
            found.nextAction = NextAction(type: type, redirectUrl: url)
            try await payments.save(found, at: clock.now(), on: connection)
            return true
        case "payment_intent.payment_failed":
            guard found.isUnpaid else { return true }
            found.status = .requiresPayment
            found.nextAction = nil
            if case .string(let code)? = event.data.object["last_payment_error"]?["code"] { found.lastError = code }
            try await payments.save(found, at: clock.now(), on: connection)
            return true
        case "charge.refunded":
            guard !found.isUnpaid else { return false }
            guard case .number(let refunded)? = event.data.object["amount_refunded"] else { return true }
            let more = Int64(refunded) - found.refunded.amount
            if more > 0 { _ = try await recordRefund(more, of: found, reason: "refunded at Stripe", on: connection) }
            return true
        case "charge.dispute.created":
            guard !found.isUnpaid else { return false }
            guard case .string(let dispute)? = event.data.object["id"], case .number(let amount)? = event.data.object["amount"] else { return true }
            let reason = if case .string(let text)? = event.data.object["reason"] { text } else { "unknown" }
            try await self.dispute(found, id: dispute, amount: Int64(amount), reason: reason, on: connection)
            return true
        case "charge.dispute.closed":
            guard !found.isUnpaid else { return false }
            guard case .string(let dispute)? = event.data.object["id"], case .string(let status)? = event.data.object["status"] else { return true }
            return try await closeDispute(found, id: dispute, status: status, on: connection)
        default:
            return true
        }
    }
}
