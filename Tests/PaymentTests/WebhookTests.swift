import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Payment

@Suite struct WebhookTests {
    static let secret = "whsec_test_secret"

    /// Posts `event` as Stripe would, signed with `secret` at `time`.
    static func deliver(
        _ payments: PaymentHarness, _ event: [String: any Sendable], secret: String = secret, at time: Date = Date(), signature: String? = nil
    ) async throws -> TestResponse {
        let payload = try JSONSerialization.data(withJSONObject: event)
        let timestamp = Int(time.timeIntervalSince1970)
        let header =
            signature
            ?? "t=\(timestamp),v1=\(StripeSignature.sign(payload, timestamp: timestamp, secret: "whsec_other")),v1=\(StripeSignature.sign(payload, timestamp: timestamp, secret: secret))"
        return try await payments.client.executeRequest(
            uri: "/api/v1/webhooks/stripe", method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("Stripe-Signature")!: header],
            body: ByteBuffer(data: payload)
        )
    }

    static func event(
        _ type: String, _ payment: Payment, id: String = "evt_\(UUID().uuidString.prefix(12))", extra: [String: any Sendable] = [:]
    ) -> [String: any Sendable] {
        var object: [String: any Sendable] = ["id": "pi_test", "metadata": ["payment_id": payment.id.uuidString.lowercased()] as [String: any Sendable]]
        object.merge(extra) { $1 }
        return ["id": id, "object": "event", "type": type, "created": Int(Date().timeIntervalSince1970), "data": ["object": object] as [String: any Sendable]]
    }

    @Test func badSignaturesAreRefusedAndNothingIsKept() async throws {
        try await PaymentHarness.run(["STRIPE_WEBHOOK_SECRET": Self.secret]) { payments in
            let created = try await payments.payment(traveler: try await PaymentHarness.user(.traveler), provider: try await PaymentHarness.user(.provider))
            let event = Self.event("payment_intent.succeeded", created)
            for response in [
                try await Self.deliver(payments, event, secret: "whsec_wrong"),
                try await Self.deliver(payments, event, at: Date().addingTimeInterval(-301)),
                try await Self.deliver(payments, event, signature: "garbage"),
            ] {
                #expect(response.status == .badRequest)
                #expect(response.problem?.code == "invalid_signature")
            }
            let rows = try await payments.postgres.query("SELECT count(*)::int FROM stripe_events")
            for try await count in rows.decode(Int.self) { #expect(count == 0) }
            #expect(try await payments.balance("escrow") == 0)
        }
    }

    @Test func aDisputeTakesItsAmountFromEscrowOnceEvenBeforeThePaymentIsReported() async throws {
        try await PaymentHarness.run(["STRIPE_WEBHOOK_SECRET": Self.secret]) { payments in
            let created = try await payments.payment(
                traveler: try await PaymentHarness.user(.traveler), provider: try await PaymentHarness.user(.provider), amount: 100_000)
            let rows = try await payments.postgres.query("SELECT provider_reference FROM payments WHERE id = \(created.id)")
            var intent = ""
            for try await reference in rows.decode(String.self) { intent = reference }
            // Disputes name only their PaymentIntent; Stripe may send the same dispute in more than one event.
            let dispute: [String: any Sendable] = [
                "id": "dp_1Mt", "object": "dispute", "amount": 30_000, "currency": "mxn", "payment_intent": intent, "reason": "fraudulent",
            ]
            func disputed() -> [String: any Sendable] {
                [
                    "id": "evt_\(UUID().uuidString.prefix(12))", "object": "event", "type": "charge.dispute.created",
                    "data": ["object": dispute] as [String: any Sendable],
                ]
            }
            #expect(try await Self.deliver(payments, disputed()).status == .ok)
            #expect(try await payments.balance("external:disputes") == 0)

            #expect(try await Self.deliver(payments, Self.event("payment_intent.succeeded", created)).status == .ok)
            #expect(try await Self.deliver(payments, disputed()).status == .ok)
            #expect(try await payments.balance("escrow") == 70_000)
            #expect(try await payments.balance("external:disputes") == 30_000)

            // What is left to refund or release is what the dispute did not take.
            let admin = try await PaymentHarness.user(.admin)
            let refund = try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["amount": 80_000, "reason": "goodwill"], as: admin)
            #expect(refund.problem?.errors?.first?.field == "amount")
            let rest = try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["reason": "goodwill"], as: admin).decode(Payment.self)
            #expect(rest.refunded.amount == 70_000)
            #expect(rest.disputed.amount == 30_000)
            #expect(try await payments.balance("escrow") == 0)
            #expect(try await payments.ledgerIsBalanced())
        }
    }

    @Test func eventsApplyOnceAndARefundBeforeItsPaymentWaitsForIt() async throws {
        try await PaymentHarness.run(["STRIPE_WEBHOOK_SECRET": Self.secret]) { payments in
            let created = try await payments.payment(
                traveler: try await PaymentHarness.user(.traveler), provider: try await PaymentHarness.user(.provider), amount: 100_000)
            let failed = Self.event(
                "payment_intent.payment_failed", created, extra: ["last_payment_error": ["code": "card_declined"] as [String: any Sendable]])
            #expect(try await Self.deliver(payments, failed).status == .ok)
            #expect(try await payments.send(.get, "/api/v1/payments/\(created.id)", as: nil).status == .unauthorized)

            // The refund arrives first: it waits.
            let refunded = Self.event("charge.refunded", created, extra: ["amount_refunded": 40_000])
            #expect(try await Self.deliver(payments, refunded).status == .ok)
            #expect(try await payments.balance("escrow") == 0)

            let succeeded = Self.event("payment_intent.succeeded", created, id: "evt_succeeded")
            #expect(try await Self.deliver(payments, succeeded).status == .ok)
            #expect(try await Self.deliver(payments, succeeded).status == .ok)  // Stripe retries: applied once
            #expect(try await payments.balance("escrow") == 60_000)
            #expect(try await payments.balance("external:cards") == -60_000)
            #expect(try await payments.ledgerIsBalanced())
            let told = await eventually {
                let kinds = await payments.peers.bodies(BookingPayments.PaymentEvent.self, at: BookingPayments.PaymentEvent.path).filter {
                    $0.bookingId == created.bookingId
                }.map(\.kind)
                return Set(kinds) == [.succeeded, .refunded]
            }
            #expect(told)
            let rows = try await payments.postgres.query("SELECT count(*)::int FROM stripe_events WHERE processed_at IS NULL")
            for try await waiting in rows.decode(Int.self) { #expect(waiting == 0) }
        }
    }

    @Test func withoutASecretThereIsNoWebhook() async throws {
        try await PaymentHarness.run { payments in
            let response = try await payments.client.executeRequest(uri: "/api/v1/webhooks/stripe", method: .post, headers: [:], body: ByteBuffer(string: "{}"))
            #expect(response.status == .notFound)
        }
    }
}
