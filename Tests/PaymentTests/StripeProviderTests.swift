import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import ServiceKit
import Testing
import TestSupport

@testable import Payment

/// A stand-in for Stripe's API: form-encoded POSTs, `Authorization: Bearer sk_…`, `Idempotency-Key` replays,
/// and Stripe's error objects.
actor FakeStripe {
    struct Call: Sendable {
        var path: String
        var form: [String: String]
        var idempotencyKey: String?
    }

    private(set) var calls: [Call] = []
    private var answers: [String: Data] = [:]

    func record(_ call: Call) { calls.append(call) }
    func answer(for key: String) -> Data? { answers[key] }
    func remember(_ key: String, _ data: Data) { answers[key] = data }
    func calls(to path: String) -> [Call] { calls.filter { $0.path == path } }

    static func form(_ text: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        return form
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("v1/:object") { request, context -> Response in
            let object = try context.parameters.require("object")
            guard request.headers[.authorization] == "Bearer sk_test_mayago" else {
                return Self.json(["error": ["type": "invalid_request_error", "message": "Invalid API Key provided."] as [String: any Sendable]], status: .unauthorized)
            }
            let form = Self.form(String(buffer: try await request.body.collect(upTo: 1 << 16)))
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            await self.record(Call(path: "/v1/\(object)", form: form, idempotencyKey: key))
            if let key, let replay = await self.answer(for: key) {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: replay)))
            }
            let answer: [String: any Sendable]
            switch object {
            case "payment_intents":
                answer = ["id": "pi_3Mtw", "object": "payment_intent", "client_secret": "pi_3Mtw_secret_YrKJ", "amount": Int(form["amount"] ?? "0") ?? 0, "currency": form["currency"] ?? "", "status": "requires_payment_method"]
            case "refunds" where form["amount"] == "1":
                return Self.json(["error": ["type": "invalid_request_error", "code": "charge_already_refunded", "message": "Charge pi_3Mtw has already been refunded."] as [String: any Sendable]], status: .badRequest)
            case "refunds":
                answer = ["id": "re_1Nis", "object": "refund", "amount": Int(form["amount"] ?? "0") ?? 0, "status": "succeeded", "payment_intent": form["payment_intent"] ?? ""]
            case "transfers":
                answer = ["id": "tr_1MiN", "object": "transfer", "amount": Int(form["amount"] ?? "0") ?? 0, "destination": form["destination"] ?? ""]
            case "accounts":
                answer = ["id": "acct_1Nv0", "object": "account", "type": "express"]
            case "account_links":
                answer = ["object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_1Nv0/abc"]
            default:
                return Self.json(["error": ["type": "invalid_request_error", "message": "Unrecognized request URL."] as [String: any Sendable]], status: .notFound)
            }
            let data = try JSONSerialization.data(withJSONObject: answer)
            if let key { await self.remember(key, data) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        return router
    }

    nonisolated static func json(_ object: [String: any Sendable], status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())))
    }
}

@Suite struct StripeProviderTests {
    @Test func chargesRefundsOnboardingAndTransfersGoThroughStripesAPI() async throws {
        let stripe = FakeStripe()
        try await withStandIn(stripe.router()) { port in
            try await PaymentHarness.run([
                "PAYMENT_PROVIDER": "stripe", "STRIPE_API_KEY": "sk_test_mayago", "STRIPE_API_URL": "http://127.0.0.1:\(port)",
                "STRIPE_WEBHOOK_SECRET": WebhookTests.secret,
            ]) { payments in
                let traveler = try await PaymentHarness.user(.traveler)
                let provider = try await PaymentHarness.user(.provider)
                let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000)
                #expect(created.clientSecret == "pi_3Mtw_secret_YrKJ")
                let intent = try #require(await stripe.calls(to: "/v1/payment_intents").first)
                #expect(intent.form["amount"] == "100000")
                #expect(intent.form["currency"] == "mxn")
                #expect(intent.form["metadata[payment_id]"] == created.id.uuidString.lowercased())
                #expect(intent.idempotencyKey == "payment-\(created.bookingId.uuidString.lowercased())")

                // Travelers confirm with Stripe.js; the webhook says it succeeded.
                #expect(try await payments.pay(created, as: traveler).problem?.code == "confirm_with_stripe")
                #expect(try await WebhookTests.deliver(payments, WebhookTests.event("payment_intent.succeeded", created)).status == .ok)
                #expect(try await payments.balance("escrow") == 100_000)

                let refund = BookingPayments.RefundRequest(bookingId: created.bookingId, amount: Money(amount: 20_000, currency: "MXN"), reason: "cancelled_by_traveler")
                #expect(try await payments.internalCall(BookingPayments.refundsPath, refund).status == .noContent)
                let refunded = try #require(await stripe.calls(to: "/v1/refunds").first)
                #expect(refunded.form == ["payment_intent": "pi_3Mtw", "amount": "20000"])
                #expect(try await payments.balance("escrow") == 80_000)

                // Stripe's refusal is a 502 naming its code, and nothing moves here.
                let admin = try await PaymentHarness.user(.admin)
                let refused = try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["amount": 1, "reason": "test"], as: admin)
                #expect(refused.status == .badGateway)
                #expect(refused.problem?.code == "charge_already_refunded")
                #expect(try await payments.balance("escrow") == 80_000)

                // No connected account yet: the release waits (Booking's outbox retries it) until onboarding.
                let release = BookingPayments.ReleaseRequest(bookingId: created.bookingId)
                let early = try await payments.internalCall(BookingPayments.releasesPath, release)
                #expect(early.problem?.code == "no_connected_account")
                let onboarding = try await payments.send(.post, "/api/v1/payouts/onboarding", as: provider)
                #expect(try onboarding.decode(PaymentRoutes.Onboarding.self).url.hasPrefix("https://connect.stripe.com/"))
                #expect(try await payments.internalCall(BookingPayments.releasesPath, release).status == .noContent)
                let transfer = try #require(await stripe.calls(to: "/v1/transfers").first)
                #expect(transfer.form["destination"] == "acct_1Nv0")
                #expect(transfer.form["amount"] == "68000")
                #expect(try await payments.ledgerIsBalanced())
            }
        }
    }
}
