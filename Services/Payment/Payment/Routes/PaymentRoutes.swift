import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Payments as their parties see them, the local provider's card confirmation, admins' refunds and the ledger
/// check.
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

    struct Authentication: Decodable {
        /// The local provider's 3-D Secure page: the traveler approves or fails the challenge.
        var approve: Bool
    }

    struct RefundBody: Decodable {
        var amount: Int64?
        var reason: String
    }

    /// What a browser needs to take a card: which provider, and Stripe.js's publishable key with Stripe.
    struct ClientSettings: ResponseCodable {
        var provider: String
        var publishableKey: String?
    }

    struct LedgerCheck: ResponseCodable {
        var balanced: Bool
        var postings: Int
        var unbalancedTransactions: [UUID]
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/payments")
        group.get(use: list)
        group.get("ledger", use: checkLedger)
        group.get("config", use: clientSettings)
        group.get(":id", use: show)
        group.post(":id/confirm", use: confirm)
        group.post(":id/authenticate", use: authenticate)
        group.get("revenue", use: revenue)
        group.post(":id/refunds", use: refund)
    }

    /// Open to anyone: it names the provider and a key meant for browsers, nothing else.
    @Sendable func clientSettings(_ request: Request, context: ServiceRequestContext) async throws -> ClientSettings {
        ClientSettings(provider: payment.settings.stripe == nil ? "local" : "stripe", publishableKey: payment.settings.publishableKey)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> Payment {
        try await payment.payment(try context.parameters.require("id", as: UUID.self), seenBy: try context.requireIdentity())
    }

    /// `?bookingId=`: the booking's payment, as a one-item page (empty for anyone but its parties).
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Payment> {
        let identity = try context.requireIdentity()
        guard let text = request.uri.queryParameters.get("bookingId") else { throw Problem.invalid("bookingId", "is required") }
        guard let bookingID = UUID(uuidString: text) else { throw Problem.invalid("bookingId", "must be a UUID") }
        let found = try await payment.payment(ofBooking: bookingID, seenBy: identity)
        return Page(items: found.map { [$0] } ?? [], nextCursor: nil)
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

    /// What moved through the platform per currency over a period of months (admins).
    @Sendable func revenue(_ request: Request, context: ServiceRequestContext) async throws -> RevenueSummary {
        _ = try context.requireRole(.admin)
        let query = request.uri.queryParameters
        return try await payment.revenue(over: try MonthRange(from: query.get("from"), to: query.get("to"), now: payment.clock.now()))
    }

    /// Answers the local provider's 3-D Secure challenge (Stripe's own page does this with Stripe).
    @Sendable func authenticate(_ request: Request, context: ServiceRequestContext) async throws -> Payment {
        let identity = try context.requireIdentity()
        guard payment.provider.confirmsTestCards else {
            throw Problem.conflict("Stripe.js authenticates this payment; Stripe reports the result.", code: "confirm_with_stripe")
        }
        let body = try await request.decode(as: Authentication.self, context: context)
        return try await payment.authenticate(try context.parameters.require("id", as: UUID.self), approved: body.approve, as: identity)
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

        guard let outcome else { throw Problem.refused("card.number", "must be a test card") }
        return try await payment.pay(id, outcome: outcome, as: identity)
    }

    /// An admin refunds part or all of what is left, whatever the booking's policy says.
    @Sendable func refund(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let admin = try context.requireRole(.admin)
        return try await payment.idempotency.run(request, context: context, owner: admin.userID) { request in
            (.ok, try await refundLeft(request, context: context, by: admin))
        }
    }

    private func refundLeft(_ request: Request, context: ServiceRequestContext, by admin: Identity) async throws -> Payment {
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: RefundBody.self, context: context)
        var validator = Validator()
        if let amount = body.amount { validator.check((1...10_000_000_000).contains(amount), "amount", "must be a positive amount in minor units") }
        validator.check((1...500).contains(body.reason.unicodeScalars.count), "reason", "must be 1 to 500 characters")
        try validator.validate()
        return try await payment.refund(id, amount: body.amount, reason: body.reason, by: admin, from: context.clientAddress)
    }

    @Sendable func checkLedger(_ request: Request, context: ServiceRequestContext) async throws -> LedgerCheck {
        _ = try context.requireRole(.admin)
        let (unbalanced, postings) = try await payment.checkLedger()
        return LedgerCheck(balanced: unbalanced.isEmpty, postings: postings, unbalancedTransactions: unbalanced)
    }

}
