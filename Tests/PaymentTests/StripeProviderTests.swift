import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Payment

/// A stand-in for Stripe's API: form-encoded POSTs, `Authorization: Bearer sk_…`, `Idempotency-Key` replays,
/// `Stripe-Account`, list pagination (`has_more`, `starting_after`) and Stripe's error objects.
actor FakeStripe {
    struct Call: Sendable {
        var path: String
        var form: [String: String]
        var idempotencyKey: String?
        var account: String?
    }

    /// A payout of a connected account, as Stripe keeps it.
    struct StoredPayout: Sendable {
        var id: String
        var account: String
        var amount: Int
        var currency: String
        var status: String
        var failureCode: String?
        var metadata: [String: String]
        var created: Int

        var object: [String: any Sendable] {
            var object: [String: any Sendable] = [
                "id": id, "object": "payout", "amount": amount, "currency": currency, "status": status, "metadata": metadata, "created": created,
            ]
            if let failureCode { object["failure_code"] = failureCode }
            return object
        }
    }

    private(set) var calls: [Call] = []
    private var answers: [String: Data] = [:]
    private var payouts: [StoredPayout] = []
    private var outages: [String: Int] = [:]
    private var watcher: (@Sendable () async -> Void)?
    /// Events Stripe made, oldest first, as JSON: `GET /v1/events` lists them newest first.
    private var events: [Data] = []

    /// Records an event that Stripe lists (its webhook may never come).
    func addEvent(_ event: [String: any Sendable]) throws { events.append(try JSONSerialization.data(withJSONObject: event)) }

    func listEvents(types: Set<String>, after: String?) -> (page: [Data], hasMore: Bool) {
        let matching = events.reversed().filter { data in
            types.isEmpty || ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["type"].map { types.contains("\($0)") } == true
        }
        let ids = matching.map { ((try? JSONSerialization.jsonObject(with: $0)) as? [String: Any])?["id"] as? String }
        let start = after.flatMap { after in ids.firstIndex(of: after).map { $0 + 1 } } ?? 0
        let page = Array(matching.dropFirst(start).prefix(2))
        return (page, start + page.count < matching.count)
    }

    /// The next `times` calls to `path` fail with a 500, as when Stripe has an incident.
    func fail(_ path: String, times: Int) { outages[path] = times }
    func isDown(_ path: String) -> Bool {
        guard let left = outages[path], left > 0 else { return false }
        outages[path] = left - 1
        return true
    }

    /// Runs while Stripe moves money (a refund, a transfer), before it answers.
    func watchMoves(_ watcher: @escaping @Sendable () async -> Void) { self.watcher = watcher }
    func moving() async { await watcher?() }

    func record(_ call: Call) { calls.append(call) }
    func answer(for key: String) -> Data? { answers[key] }
    func remember(_ key: String, _ data: Data) { answers[key] = data }
    func calls(to path: String) -> [Call] { calls.filter { $0.path == path } }

    func makePayout(account: String, form: [String: String]) -> StoredPayout {
        var metadata: [String: String] = [:]
        if let id = form["metadata[payout_id]"] { metadata["payout_id"] = id }
        let payout = StoredPayout(
            id: "po_\(payouts.count + 1)", account: account, amount: Int(form["amount"] ?? "0") ?? 0, currency: form["currency"] ?? "",
            status: "pending", metadata: metadata, created: Int(Date().timeIntervalSince1970)
        )
        payouts.append(payout)
        return payout
    }

    /// Settles a payout at the bank, as Stripe would report it.
    func setPayout(_ id: String, status: String, failureCode: String? = nil) {
        guard let index = payouts.firstIndex(where: { $0.id == id }) else { return }
        payouts[index].status = status
        payouts[index].failureCode = failureCode
    }

    /// The account's payouts newest first, in pages of at most two (so that a reader must follow `has_more`).
    func listPayouts(account: String, since: Int, after: String?) -> (page: [StoredPayout], hasMore: Bool) {
        var listed = Array(payouts.filter { $0.account == account && $0.created >= since }.reversed())
        if let after, let index = listed.firstIndex(where: { $0.id == after }) { listed = Array(listed[(index + 1)...]) }
        return (Array(listed.prefix(2)), listed.count > 2)
    }

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
        router.get("v1/:object") { request, context -> Response in
            if try context.parameters.require("object") == "events" {
                // Two to a page, so that paging is tested; `types[]` filters as Stripe's does.
                let types = Set(
                    (request.uri.query ?? "").split(separator: "&").compactMap { pair -> String? in
                        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                        return parts.first == "types[]" ? parts.last : nil
                    })
                let (page, hasMore) = await self.listEvents(types: types, after: Self.form(request.uri.query ?? "")["starting_after"])
                let objects = page.compactMap { (try? JSONSerialization.jsonObject(with: $0)) as? [String: any Sendable] }
                return Self.json(["object": "list", "url": "/v1/events", "has_more": hasMore, "data": objects], status: .ok)
            }
            guard try context.parameters.require("object") == "payouts" else {
                return Self.json(
                    ["error": ["type": "invalid_request_error", "message": "Unrecognized request URL."] as [String: any Sendable]], status: .notFound)
            }
            guard request.headers[.authorization] == "Bearer sk_test_mayago", let account = request.headers[HTTPField.Name("Stripe-Account")!] else {
                return Self.json(
                    ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided."] as [String: any Sendable]], status: .unauthorized)
            }
            let query = Self.form(request.uri.query ?? "")
            let since = query["created[gte]"].flatMap { Int($0) } ?? 0
            let (page, hasMore) = await self.listPayouts(account: account, since: since, after: query["starting_after"])
            return Self.json(["object": "list", "url": "/v1/payouts", "has_more": hasMore, "data": page.map(\.object)], status: .ok)
        }
        router.post("v1/:object") { request, context -> Response in
            let object = try context.parameters.require("object")
            guard request.headers[.authorization] == "Bearer sk_test_mayago" else {
                return Self.json(
                    ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided."] as [String: any Sendable]], status: .unauthorized)
            }
            let form = Self.form(String(buffer: try await request.body.collect(upTo: 1 << 16)))
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            let account = request.headers[HTTPField.Name("Stripe-Account")!]
            await self.record(Call(path: "/v1/\(object)", form: form, idempotencyKey: key, account: account))
            if ["refunds", "transfers"].contains(object) { await self.moving() }
            if await self.isDown("/v1/\(object)") {
                return Self.json(
                    ["error": ["type": "api_error", "message": "An error occurred with our connection to Stripe."] as [String: any Sendable]],
                    status: .internalServerError)
            }
            if let key, let replay = await self.answer(for: key) {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: replay)))
            }
            let answer: [String: any Sendable]
            switch object {
            case "payment_intents":
                answer = [
                    "id": "pi_3Mtw", "object": "payment_intent", "client_secret": "pi_3Mtw_secret_YrKJ", "amount": Int(form["amount"] ?? "0") ?? 0,
                    "currency": form["currency"] ?? "", "status": "requires_payment_method",
                ]
            case "refunds" where form["amount"] == "1":
                return Self.json(
                    [
                        "error": ["type": "invalid_request_error", "code": "charge_already_refunded", "message": "Charge pi_3Mtw has already been refunded."]
                            as [String: any Sendable]
                    ], status: .badRequest)
            case "refunds":
                answer = [
                    "id": "re_1Nis", "object": "refund", "amount": Int(form["amount"] ?? "0") ?? 0, "status": "succeeded",
                    "payment_intent": form["payment_intent"] ?? "",
                ]
            case "transfers":
                answer = ["id": "tr_1MiN", "object": "transfer", "amount": Int(form["amount"] ?? "0") ?? 0, "destination": form["destination"] ?? ""]
            case "accounts":
                answer = ["id": "acct_1Nv0", "object": "account", "type": "express"]
            case "payouts":
                guard let account else {
                    return Self.json(
                        ["error": ["type": "invalid_request_error", "message": "Payouts need a Stripe-Account."] as [String: any Sendable]], status: .badRequest
                    )
                }
                answer = await self.makePayout(account: account, form: form).object
            case "account_links":
                answer = ["object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_1Nv0/abc"]
            default:
                return Self.json(
                    ["error": ["type": "invalid_request_error", "message": "Unrecognized request URL."] as [String: any Sendable]], status: .notFound)
            }
            let data = try JSONSerialization.data(withJSONObject: answer)
            if let key { await self.remember(key, data) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        return router
    }

    nonisolated static func json(_ object: [String: any Sendable], status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())))
    }
}

/// What a stand-in saw, in order.
actor Sightings {
    private(set) var values: [Bool] = []
    func append(_ value: Bool) { values.append(value) }
}

@Suite struct StripeProviderTests {
    /// Payment with the Stripe provider, its API at `stripe`, and `variables` besides.
    static func run(_ stripe: FakeStripe, _ variables: [String: String] = [:], _ body: @Sendable (PaymentHarness) async throws -> Void) async throws {
        try await withStandIn(stripe.router()) { port in
            let stripeVariables = [
                "PAYMENT_PROVIDER": "stripe", "STRIPE_API_KEY": "sk_test_mayago", "STRIPE_API_URL": "http://127.0.0.1:\(port)",
                "STRIPE_WEBHOOK_SECRET": WebhookTests.secret,
            ]
            try await PaymentHarness.run(stripeVariables.merging(variables) { $1 }, body)
        }
    }

    /// The web app asks which card form to show: anyone may, and it learns the provider and Stripe.js's key, no more.
    @Test func browsersLearnTheProviderAndThePublishableKey() async throws {
        try await PaymentHarness.run { payments in
            let local = try await payments.send(.get, "/api/v1/payments/config").decode(PaymentRoutes.ClientSettings.self)
            #expect(local.provider == "local" && local.publishableKey == nil)
        }
        try await Self.run(FakeStripe(), ["STRIPE_PUBLISHABLE_KEY": "pk_test_mayago"]) { payments in
            let stripe = try await payments.send(.get, "/api/v1/payments/config").decode(PaymentRoutes.ClientSettings.self)
            #expect(stripe.provider == "stripe" && stripe.publishableKey == "pk_test_mayago")
        }
    }

    @Test func chargesRefundsOnboardingAndTransfersGoThroughStripesAPI() async throws {
        let stripe = FakeStripe()
        try await Self.run(stripe) { payments in
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

            let refund = BookingPayments.RefundRequest(
                bookingId: created.bookingId, amount: Money(amount: 20_000, currency: "MXN"), reason: "cancelled_by_traveler")
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund).status == .noContent)
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
            let early = try await payments.internalCall(BookingPayments.ReleaseRequest.path, release)
            #expect(early.problem?.code == "no_connected_account")
            let onboarding = try await payments.send(.post, "/api/v1/payouts/onboarding", as: provider)
            #expect(try onboarding.decode(PayoutRoutes.Onboarding.self).url.hasPrefix("https://connect.stripe.com/"))
            #expect(try await payments.internalCall(BookingPayments.ReleaseRequest.path, release).status == .noContent)
            let transfer = try #require(await stripe.calls(to: "/v1/transfers").first)
            #expect(transfer.form["destination"] == "acct_1Nv0")
            #expect(transfer.form["amount"] == "68000")
            #expect(try await payments.ledgerIsBalanced())
        }
    }

    @Test func stripeMovesMoneyWhileNoTransactionHoldsThePaymentAndACallItDidNotAnswerIsFinishedOnTheNextDelivery() async throws {
        let stripe = FakeStripe()
        try await Self.run(stripe) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000)
            #expect(try await WebhookTests.deliver(payments, WebhookTests.event("payment_intent.succeeded", created)).status == .ok)

            // While Stripe works, the payment's row is free: NOWAIT fails at once if a transaction holds it.
            let free = Sightings()
            await stripe.watchMoves {
                let logger = Logger(label: "test")
                let locked: Void? = try? await payments.postgres.transaction(logger: logger) { connection in
                    let rows = try await connection.query("SELECT id FROM payments WHERE id = \(created.id) FOR UPDATE NOWAIT", logger: logger)
                    for try await _ in rows {}
                }
                await free.append(locked != nil)
            }

            // Stripe fails the refund: a 502, nothing moves here, and Booking's outbox delivers the message again,
            // when the same refund (the same idempotency key) goes through once.
            await stripe.fail("/v1/refunds", times: 1)
            let refund = BookingPayments.RefundRequest(
                bookingId: created.bookingId, amount: Money(amount: 20_000, currency: "MXN"), reason: "cancelled_by_traveler")
            let message = UUID()
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund, messageID: message).status == .badGateway)
            #expect(try await payments.balance("escrow") == 100_000)
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund, messageID: message).status == .noContent)
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund, messageID: message).status == .noContent)
            let refunds = await stripe.calls(to: "/v1/refunds")
            #expect(refunds.count == 2)
            #expect(Set(refunds.map(\.idempotencyKey)) == ["refund-\(created.id.uuidString.lowercased())-20000"])
            #expect(try await payments.balance("escrow") == 80_000)

            _ = try await payments.send(.post, "/api/v1/payouts/onboarding", as: provider)
            #expect(
                try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId)).status
                    == .noContent)
            #expect(try await payments.balance("escrow") == 0)
            #expect(await free.values == [true, true, true])
            #expect(try await payments.ledgerIsBalanced())
        }
    }

    @Test func payoutsGoToTheConnectedAccountAndAFailedOneReturnsItsMoneyForTheNextRound() async throws {
        let stripe = FakeStripe()
        try await Self.run(stripe, ["PAYOUT_INTERVAL_MS": "100", "PAYOUT_MINIMUM": "1000"]) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000)
            #expect(try await WebhookTests.deliver(payments, WebhookTests.event("payment_intent.succeeded", created)).status == .ok)
            _ = try await payments.send(.post, "/api/v1/payouts/onboarding", as: provider)
            #expect(
                try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId)).status
                    == .noContent)

            // The balance leaves as a payout of the provider's connected account, pending until the bank has it.
            func payouts() async throws -> [Payout] { try await payments.send(.get, "/api/v1/payouts", as: provider).decode(Page<Payout>.self).items }
            #expect(await eventually { await stripe.calls(to: "/v1/payouts").count == 1 })
            let first = try #require(await stripe.calls(to: "/v1/payouts").first)
            #expect(first.account == "acct_1Nv0")
            #expect(first.form["amount"] == "85000")
            #expect(first.form["currency"] == "mxn")
            let firstID = try #require(first.form["metadata[payout_id]"])
            #expect(first.idempotencyKey == "payout-\(firstID)")
            #expect(try await payments.balance("external:payouts") == 85_000)
            #expect(try await payouts().first?.status == .pending)

            // The bank refuses it: the money is the provider's again, they hear of it, and the next round pays again.
            let failed = Self.payoutEvent("payout.failed", id: "po_1", payoutID: firstID, status: "failed", failureCode: "account_closed")
            #expect(try await WebhookTests.deliver(payments, failed).status == .ok)
            await stripe.setPayout("po_1", status: "failed", failureCode: "account_closed")
            let notice = await payments.peers.first(NotificationRequest.self, at: NotificationRequest.path) { $0.type == .payoutFailed }
            #expect(notice?.recipientId == provider.id)
            #expect(notice?.data["failure"] == .string("account_closed"))
            #expect(await eventually { await stripe.calls(to: "/v1/payouts").count == 2 })
            let second = try #require(await stripe.calls(to: "/v1/payouts").last)
            #expect(second.form["amount"] == "85000")
            #expect(second.form["metadata[payout_id]"] != firstID)

            // Its webhook never comes: reading the account's payouts back (across pages) finds it paid.
            await stripe.setPayout("po_2", status: "paid")
            for _ in 0..<3 { _ = await stripe.makePayout(account: "acct_1Nv0", form: ["amount": "500", "currency": "mxn"]) }
            #expect(try await eventually { try await payouts().map(\.status) == [.paid, .failed] })
            #expect(try await payouts().last?.failure == "account_closed")
            #expect(await payments.peers.first(NotificationRequest.self, at: NotificationRequest.path) { $0.type == .payoutSent } != nil)

            // A late `payout.paid` for the failed one changes nothing: it stays failed and the money is paid once.
            let late = Self.payoutEvent("payout.paid", id: "po_1", payoutID: firstID, status: "paid")
            #expect(try await WebhookTests.deliver(payments, late).status == .ok)
            #expect(try await payouts().map(\.status) == [.paid, .failed])
            #expect(try await payments.balance("external:payouts") == 85_000)
            #expect(try await payments.balance("provider:\(provider.id.uuidString.lowercased())") == 0)
            #expect(try await payments.ledgerIsBalanced())
            #expect(await stripe.calls(to: "/v1/payouts").count == 2)
        }
    }

    /// A Connect event about a payout of the provider's account, as Stripe sends it.
    static func payoutEvent(_ type: String, id: String, payoutID: String, status: String, failureCode: String? = nil) -> [String: any Sendable] {
        var object: [String: any Sendable] = ["id": id, "object": "payout", "status": status, "metadata": ["payout_id": payoutID] as [String: any Sendable]]
        if let failureCode { object["failure_code"] = failureCode }
        return [
            "id": "evt_\(UUID().uuidString.prefix(12))", "object": "event", "type": type, "account": "acct_1Nv0",
            "created": Int(Date().timeIntervalSince1970), "data": ["object": object] as [String: any Sendable],
        ]
    }
}
