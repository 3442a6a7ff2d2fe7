import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Payment

/// Money that reconciles: 3-D Secure, disputes closed, webhooks read back, and the reports summed from the ledger.
@Suite struct ReconciliationTests {
    @Test func aCardThatAsksFor3DSecureWaitsForTheTravelerToAuthenticate() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let first = try await payments.payment(traveler: traveler, provider: provider)
            let asked = try await payments.pay(first, as: traveler, card: "4000 0027 6000 3184")
            #expect(asked.status == .ok, "\(asked.text)")
            let waiting = try asked.decode(Payment.self)
            #expect(waiting.status == .requiresAction)
            #expect(waiting.nextAction == NextAction(type: "redirect_to_url", redirectUrl: "/api/v1/payments/\(first.id.uuidString.lowercased())/authenticate"))
            #expect(try await payments.balance("escrow") == 0)
            let path = "/api/v1/payments/\(first.id)/authenticate"
            #expect(try await payments.send(.post, path, ["approve": true], as: provider).status == .notFound)
            #expect(try await payments.send(.post, path, ["approve": "yes"], as: traveler).problem?.errors?.first?.field == "approve")
            let approved = try await payments.send(.post, path, ["approve": true], as: traveler).decode(Payment.self)
            #expect(approved.status == .succeeded)
            #expect(approved.nextAction == nil)
            #expect(try await payments.balance("escrow") == first.amount.amount)
            #expect(try await payments.send(.post, path, ["approve": true], as: traveler).problem?.code == "no_action_required")

            // A failed challenge: the traveler may try another card.
            let second = try await payments.payment(traveler: traveler, provider: provider)
            _ = try await payments.pay(second, as: traveler, card: "4000 0027 6000 3184")
            let failed = try await payments.send(.post, "/api/v1/payments/\(second.id)/authenticate", ["approve": false], as: traveler).decode(Payment.self)
            #expect(failed.status == .requiresPayment)
            #expect(failed.lastError == "payment_intent_authentication_failure")
            #expect(try await payments.pay(second, as: traveler).decode(Payment.self).status == .succeeded)
            #expect(try await payments.ledgerIsBalanced())
        }
    }

    @Test func stripesRequiresActionShowsTheNextStepAndTheWebhookCompletesIt() async throws {
        try await PaymentHarness.run(["STRIPE_WEBHOOK_SECRET": WebhookTests.secret]) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let created = try await payments.payment(traveler: traveler, provider: try await PaymentHarness.user(.provider))
            let next: [String: any Sendable] = [
                "type": "redirect_to_url", "redirect_to_url": ["url": "https://hooks.stripe.com/3d_secure/abc"] as [String: any Sendable],
            ]
            let action = WebhookTests.event("payment_intent.requires_action", created, extra: ["status": "requires_action", "next_action": next])
            #expect(try await WebhookTests.deliver(payments, action).status == .ok)
            let waiting = try await payments.send(.get, "/api/v1/payments/\(created.id)", as: traveler).decode(Payment.self)
            #expect(waiting.status == .requiresAction)
            #expect(waiting.nextAction == NextAction(type: "redirect_to_url", redirectUrl: "https://hooks.stripe.com/3d_secure/abc"))
            #expect(try await WebhookTests.deliver(payments, WebhookTests.event("payment_intent.succeeded", created)).status == .ok)
            let paid = try await payments.send(.get, "/api/v1/payments/\(created.id)", as: traveler).decode(Payment.self)
            #expect(paid.status == .succeeded)
            #expect(paid.nextAction == nil)
        }
    }

    @Test func aWonDisputeGivesItsMoneyBackOnceAndALostOneDoesNot() async throws {
        try await PaymentHarness.run(["STRIPE_WEBHOOK_SECRET": WebhookTests.secret]) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let created = try await payments.payment(traveler: traveler, provider: try await PaymentHarness.user(.provider), amount: 100_000)
            _ = try await payments.pay(created, as: traveler)
            let rows = try await payments.postgres.query("SELECT provider_reference FROM payments WHERE id = \(created.id)")
            var intent = ""
            for try await reference in rows.decode(String.self) { intent = reference }
            func dispute(_ type: String, id: String, status: String) -> [String: any Sendable] {
                let object: [String: any Sendable] = [
                    "id": id, "object": "dispute", "amount": 30_000, "payment_intent": intent, "status": status, "reason": "fraudulent",
                ]
                return ["id": "evt_\(UUID().uuidString.prefix(12))", "object": "event", "type": type, "data": ["object": object] as [String: any Sendable]]
            }
            // Closed before Stripe's news of its opening arrived: it waits for it.
            #expect(try await WebhookTests.deliver(payments, dispute("charge.dispute.closed", id: "dp_won", status: "won")).status == .ok)
            #expect(try await payments.balance("escrow") == 100_000)
            #expect(try await WebhookTests.deliver(payments, dispute("charge.dispute.created", id: "dp_won", status: "needs_response")).status == .ok)
            #expect(try await payments.balance("escrow") == 100_000)
            #expect(try await payments.balance("external:disputes") == 0)
            #expect(try await WebhookTests.deliver(payments, dispute("charge.dispute.closed", id: "dp_won", status: "won")).status == .ok)
            #expect(try await payments.balance("escrow") == 100_000)

            #expect(try await WebhookTests.deliver(payments, dispute("charge.dispute.created", id: "dp_lost", status: "needs_response")).status == .ok)
            #expect(try await WebhookTests.deliver(payments, dispute("charge.dispute.closed", id: "dp_lost", status: "lost")).status == .ok)
            #expect(try await payments.balance("escrow") == 70_000)
            #expect(try await payments.balance("external:disputes") == 30_000)
            let seen = try await payments.send(.get, "/api/v1/payments/\(created.id)", as: traveler).decode(Payment.self)
            #expect(seen.disputed.amount == 30_000)
            #expect(try await payments.ledgerIsBalanced())
        }
    }

    @Test func eventsWhoseWebhookNeverCameAreReadBackFromStripeAndAppliedOnce() async throws {
        let stripe = FakeStripe()
        try await StripeProviderTests.run(stripe, ["WEBHOOK_READBACK_INTERVAL_MS": "200"]) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let created = try await payments.payment(traveler: traveler, provider: try await PaymentHarness.user(.provider), amount: 100_000)
            // Stripe made three events; none of their webhooks came.
            try await stripe.addEvent(WebhookTests.event("payment_intent.succeeded", created))
            try await stripe.addEvent(WebhookTests.event("customer.created", created))
            try await stripe.addEvent(WebhookTests.event("charge.refunded", created, extra: ["object": "charge", "amount_refunded": 40_000]))
            let caughtUp = try await eventually(timeout: .seconds(30)) {
                try await payments.send(.get, "/api/v1/payments/\(created.id)", as: traveler).decode(Payment.self).refunded.amount == 40_000
            }
            #expect(caughtUp)
            // More rounds read the same events again: nothing moves twice.
            try await Task.sleep(for: .milliseconds(600))
            let seen = try await payments.send(.get, "/api/v1/payments/\(created.id)", as: traveler).decode(Payment.self)
            #expect(seen.status == .succeeded)
            #expect(seen.refunded.amount == 40_000)
            #expect(try await payments.balance("escrow") == 60_000)
            #expect(try await payments.balance("external:cards") == -60_000)
            let told = try await payments.postgres.query("SELECT count(*)::int FROM stripe_events")
            for try await count in told.decode(Int.self) { #expect(count == 2) }
            #expect(try await payments.ledgerIsBalanced())
        }
    }

    @Test func aProvidersEarningsAndThePlatformsRevenueAreSummedFromTheLedger() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let experience = UUID()
            let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000, experienceID: experience)
            _ = try await payments.pay(created, as: traveler)
            let released = try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId))
            #expect(released.status == .noContent || released.status == .ok, "\(released.text)")

            let report = try await payments.send(.get, "/api/v1/payouts/earnings", as: provider)
            #expect(report.status == .ok, "\(report.text)")
            let lines = try report.decode(EarningsReport.self).lines
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            #expect(line.experienceId == experience)
            #expect(line.experienceTitle == "Cenote snorkeling at dawn")
            #expect(line.bookings == 1)
            #expect(line.gross == Money(amount: 100_000, currency: "MXN"))
            #expect(line.commission == Money(amount: 15_000, currency: "MXN"))
            #expect(line.net == Money(amount: 85_000, currency: "MXN"))

            let csv = try await payments.send(.get, "/api/v1/payouts/earnings?format=csv", as: provider)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"mayago-earnings-") == true)
            let rows = csv.text.split(separator: "\r\n")
            #expect(rows.first == "month,experience_id,experience,bookings,currency,gross,commission,taken_back,net")
            #expect(rows.last?.hasSuffix(",Cenote snorkeling at dawn,1,MXN,1000.00,150.00,0.00,850.00") == true)
            #expect(try await payments.send(.get, "/api/v1/payouts/earnings?from=2026-13", as: provider).problem?.errors?.first?.field == "from")
            #expect(try await payments.send(.get, "/api/v1/payouts/earnings?format=xls", as: provider).status == .badRequest)
            #expect(try await payments.send(.get, "/api/v1/payouts/earnings", as: traveler).status == .forbidden)
            // Someone else's earnings are their own.
            #expect(
                try await payments.send(.get, "/api/v1/payouts/earnings", as: try await PaymentHarness.user(.provider)).decode(EarningsReport.self).lines
                    .isEmpty)

            #expect(try await payments.send(.get, "/api/v1/payments/revenue", as: provider).status == .forbidden)
            let revenue = try await payments.send(.get, "/api/v1/payments/revenue", as: try await PaymentHarness.user(.admin)).decode(RevenueSummary.self)
            let mxn = try #require(revenue.currencies.first { $0.currency == "MXN" })
            #expect(mxn.charged >= 100_000)
            #expect(mxn.commission >= 15_000)
        }
    }

    @Test func aMonthRangeDefaultsToOneMonthAndNamesWhatIsWrong() throws {
        let now = try #require(ISO8601Format.parse("2026-12-03T10:00:00Z"))
        let december = try MonthRange(from: nil, to: nil, now: now)
        #expect((december.from, december.to) == ("2026-12", "2026-12"))
        #expect(december.start == ISO8601Format.parse("2026-12-01T00:00:00Z"))
        #expect(december.end == ISO8601Format.parse("2027-01-01T00:00:00Z"))
        let november = try MonthRange(from: nil, to: "2026-11", now: now)
        #expect((november.from, november.to) == ("2026-11", "2026-11"))
        #expect(try MonthRange(from: "2026-01", to: "2026-12", now: now).end == ISO8601Format.parse("2027-01-01T00:00:00Z"))
        #expect(throws: Problem.self) { try MonthRange(from: "2026-12", to: "2026-01", now: now) }
        #expect(throws: Problem.self) { try MonthRange(from: "2020-01", to: "2026-01", now: now) }
        #expect(throws: Problem.self) { try MonthRange(from: nil, to: "2026-1", now: now) }
    }

    @Test func csvFieldsAreQuotedAndNeverReadAsFormulas() {
        #expect(EarningsReport.quoted("Tacos, salsa") == "\"Tacos, salsa\"")
        #expect(EarningsReport.quoted("The \"best\" tour") == "\"The \"\"best\"\" tour\"")
        #expect(EarningsReport.quoted("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(EarningsReport.quoted("-42.50") == "-42.50")
        #expect(Money(amount: -123_456, currency: "MXN").majorUnits == "-1234.56")
        #expect(Money(amount: 5_000, currency: "JPY").majorUnits == "5000")
    }
}

@Suite struct PaymentAdminTests {
    @Test func adminsNeedASecondFactorAndTheirRefundsAndCommissionsReachTheAuditLog() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000)
            _ = try await payments.pay(created, as: traveler)

            // An admin's token from a session without a second factor is refused, whatever the route.
            let id = UUID()
            let weak = TestTokens.User(id: id, token: try await PaymentHarness.tokens.token(for: id, role: .admin))
            for path in ["/api/v1/payments/ledger", "/api/v1/payments/\(created.id)"] {
                let refused = try await payments.send(.get, path, as: weak)
                #expect(refused.status == .forbidden)
                #expect(refused.problem?.code == "two_factor_required")
            }

            let admin = try await PaymentHarness.user(.admin)
            let refunded = try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["amount": 20_000, "reason": "goodwill"], as: admin)
            #expect(refunded.status == .ok, "\(refunded.text)")
            let refund = await payments.peers.first(AdminAction.self, at: AdminAction.path) { $0.action == "payment_refunded" }
            #expect(refund?.adminId == admin.id)
            #expect(refund?.subject == created.id.uuidString.lowercased())
            #expect(refund?.detail == "200.00 MXN: goodwill")
            let commission = try await payments.send(.put, "/api/v1/payouts/providers/\(provider.id)/commission", ["basisPoints": 1200], as: admin)
            #expect(commission.status == .ok)
            let changed = await payments.peers.first(AdminAction.self, at: AdminAction.path) { $0.action == "commission_changed" }
            #expect(changed?.subject == provider.id.uuidString.lowercased())
            #expect(changed?.detail == "1200 basis points")
        }
    }
}
