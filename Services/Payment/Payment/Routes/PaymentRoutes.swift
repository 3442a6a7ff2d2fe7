import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Payments as their parties see them, the local provider's card confirmation, admins' refunds and the ledger
/// check, and a provider's balance.
struct PaymentRoutes {
    let payment: PaymentService

    struct Card: Decodable {
        var number: String
        var expMonth: Int
        var expYear: Int
        var cvc: String
    }

    struct Confirmation: Decodable {
        var card: Card
    }

    struct RefundBody: Decodable {
        var amount: Int64?
        var reason: String
    }

    struct LedgerCheck: ResponseCodable {
        var balanced: Bool
        var postings: Int
        var unbalancedTransactions: [UUID]
    }

    struct Balance: ResponseCodable {
        var balances: [Money]
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/payments")
        group.get(use: list)
        group.get("ledger", use: checkLedger)
        group.get(":id", use: show)
        group.post(":id/confirm", use: confirm)
        group.post(":id/refunds", use: refund)
        router.get("api/v1/payouts/balance", use: balance)
        router.get("api/v1/payouts", use: payouts)
        router.post("api/v1/payouts/onboarding", use: onboard)
        router.put("api/v1/payouts/settings", use: setPayoutCurrency)
        router.put("api/v1/payouts/providers/:providerId/commission", use: setCommission)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Payment {
        let identity = try context.requireIdentity()
        guard let found = try await payment.payments.find(try context.parameters.require("id", as: UUID.self)), payment.isParty(identity, to: found) else {
            throw Self.notFound
        }
        return found
    }

    /// `?bookingId=`: the booking's payment, as a one-item page (empty for anyone but its parties).
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Payment> {
        let identity = try context.requireIdentity()
        guard let text = request.uri.queryParameters.get("bookingId") else { throw Problem.invalid("bookingId", "is required") }
        guard let bookingID = UUID(uuidString: text) else { throw Problem.invalid("bookingId", "must be a UUID") }
        let found = try await payment.payments.find(bookingID: bookingID)
        return Page(items: found.map { payment.isParty(identity, to: $0) ? [$0] : [] } ?? [], nextCursor: nil)
    }

    /// Pays with one of the local provider's test cards. A declined card is a 402 naming Stripe's decline code; the
    /// traveler may try another card (with another `Idempotency-Key`) until the booking's hold runs out.
    @Sendable func confirm(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard payment.provider.confirmsTestCards else {
            throw Problem.conflict("Confirm this payment with Stripe.js and its clientSecret; Stripe reports the result.", code: "confirm_with_stripe")
        }
        return try await payment.idempotency.run(request, context: context, owner: identity.userID) { request in
            (.ok, try await pay(request, context: context, as: identity))
        }
    }

    private func pay(_ request: Request, context: ServiceRequestContext, as identity: Identity) async throws -> Payment {
        let id = try context.parameters.require("id", as: UUID.self)
        let card = try await request.decode(as: Confirmation.self, context: context).card
        let year = Calendar(identifier: .gregorian).component(.year, from: payment.clock.now())
        var validator = Validator()
        let outcome = TestCard.outcome(of: card.number)
        validator.rule(outcome != nil, "card.number", "must be a test card such as 4242 4242 4242 4242")
        validator.check((1...12).contains(card.expMonth), "card.expMonth", "must be from 1 to 12")
        if (1...9999).contains(card.expYear) {
            validator.rule((year...(year + 20)).contains(card.expYear), "card.expYear", "must be this year or within 20 years of it")
        } else {
            validator.fail("card.expYear", "must be a year")
        }
        validator.check(card.cvc.wholeMatch(of: /[0-9]{3,4}/) != nil, "card.cvc", "must be 3 or 4 digits")
        try validator.validate()

        let result: Result<Payment, Problem> = try await payment.transaction { connection in
            guard var found = try await payment.payments.find(id, on: connection, forUpdate: true), payment.isParty(identity, to: found) else {
                throw Self.notFound
            }
            guard found.travelerId == identity.userID else { throw Problem.forbidden("Only the traveler pays for a booking.") }
            guard found.status == .requiresPayment else { return .success(found) }
            let now = payment.clock.now()
            switch outcome {
            case .succeeded:
                return .success(try await payment.capture(found, on: connection))
            case .declined(let code, let message):
                found.lastError = code
                try await payment.payments.save(found, at: now, on: connection)
                return .failure(Problem(Self.paymentRequired, detail: message, code: code))
            case nil:
                throw Problem.refused("card.number", "must be a test card")
            }
        }
        return try result.get()
    }

    /// An admin refunds part or all of what is left, whatever the booking's policy says.
    @Sendable func refund(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let admin = try context.requireRole(.admin)
        return try await payment.idempotency.run(request, context: context, owner: admin.userID) { request in
            (.ok, try await refundLeft(request, context: context))
        }
    }

    private func refundLeft(_ request: Request, context: ServiceRequestContext) async throws -> Payment {
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: RefundBody.self, context: context)
        var validator = Validator()
        if let amount = body.amount { validator.check((1...10_000_000_000).contains(amount), "amount", "must be a positive amount in minor units") }
        validator.check((1...500).contains(body.reason.unicodeScalars.count), "reason", "must be 1 to 500 characters")
        try validator.validate()
        return try await payment.transaction { connection in
            guard let found = try await payment.payments.find(id, on: connection, forUpdate: true) else { throw Self.notFound }
            let left = found.held
            if let amount = body.amount, amount > left {
                throw Problem.refused("amount", "must be at most \(left), what is left to refund")
            }
            return try await payment.refund(found, amount: body.amount ?? left, reason: body.reason, on: connection).0
        }
    }

    @Sendable func checkLedger(_ request: Request, context: ServiceRequestContext) async throws -> LedgerCheck {
        _ = try context.requireRole(.admin)
        let (unbalanced, postings) = try await payment.ledger.check()
        return LedgerCheck(balanced: unbalanced.isEmpty, postings: postings, unbalancedTransactions: unbalanced)
    }

    /// What the platform owes the provider, per currency (negative after refunds taken back from it).
    @Sendable func balance(_ request: Request, context: ServiceRequestContext) async throws -> Balance {
        let provider = try context.requireRole(.provider)
        return Balance(balances: try await payment.ledger.balances(of: .provider(provider.userID)))
    }

    /// The provider's payouts, newest first.
    @Sendable func payouts(_ request: Request, context: ServiceRequestContext) async throws -> Page<Payout> {
        let provider = try context.requireRole(.provider)
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 20, maximum: 100)
        let items = try await payment.payouts.page(of: provider.userID, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    struct Onboarding: ResponseCodable {
        var url: String
    }

    /// Where the provider sets up their Stripe account to be paid.
    @Sendable func onboard(_ request: Request, context: ServiceRequestContext) async throws -> Onboarding {
        let provider = try context.requireRole(.provider)
        let existing = try await payment.payments.connectedAccount(of: provider.userID)
        let returnURL = payment.publicURL.appendingPathComponent("provider/payouts")
        guard let link = try await payment.provider.onboard(provider.userID, account: existing, returnURL: returnURL) else { throw Problem.conflict("Payouts need no setup with the local provider.", code: "onboarding_not_needed") }
        if existing == nil { try await payment.payments.saveConnectedAccount(link.account, of: provider.userID, at: payment.clock.now()) }
        return Onboarding(url: link.url)
    }

    struct PayoutSettings: ResponseCodable {
        var currency: String
    }

    struct Commission: ResponseCodable {
        var providerId: UUID?
        var basisPoints: Int
    }

    /// The currency the provider wants their payouts in (converted at `PAYOUT_RATES`).
    @Sendable func setPayoutCurrency(_ request: Request, context: ServiceRequestContext) async throws -> PayoutSettings {
        let provider = try context.requireRole(.provider)
        let body = try await request.decode(as: PayoutSettings.self, context: context)
        guard Money.isCurrencyCode(body.currency) else { throw Problem.invalid("currency", "must be an ISO 4217 code such as USD") }
        try await payment.terms.setPayoutCurrency(body.currency, of: provider.userID, at: payment.clock.now())
        return body
    }

    /// An admin agrees another commission with one provider; releases from now on use it.
    @Sendable func setCommission(_ request: Request, context: ServiceRequestContext) async throws -> Commission {
        _ = try context.requireRole(.admin)
        let providerID = try context.parameters.require("providerId", as: UUID.self)
        let body = try await request.decode(as: Commission.self, context: context)
        guard (0...10_000).contains(body.basisPoints) else { throw Problem.invalid("basisPoints", "must be from 0 to 10000 (100 %)") }
        try await payment.terms.setCommission(body.basisPoints, of: providerID, at: payment.clock.now())
        return Commission(providerId: providerID, basisPoints: body.basisPoints)
    }

    static let notFound = Problem.notFound("No such payment.")
    static let paymentRequired = HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
}
