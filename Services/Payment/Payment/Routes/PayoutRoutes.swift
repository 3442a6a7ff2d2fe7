import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// A provider's side of the money: their balance, payouts, Stripe onboarding and payout currency, and the
/// commission an admin agrees with them.
struct PayoutRoutes {
    let payment: PaymentService

    struct Balance: ResponseCodable {
        var balances: [Money]
    }

    func addRoutes(to router: ServiceRouter) {
        router.get("api/v1/payouts/balance", use: balance)
        router.get("api/v1/payouts", use: payouts)
        router.post("api/v1/payouts/onboarding", use: onboard)
        router.put("api/v1/payouts/settings", use: setPayoutCurrency)
        router.put("api/v1/payouts/providers/:providerId/commission", use: setCommission)
        router.get("api/v1/payouts/earnings", use: earnings)
    }

    /// The provider's earnings per month and experience, as JSON or (`?format=csv`) a CSV download.
    @Sendable func earnings(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let provider = try context.requireRole(.provider)
        let query = request.uri.queryParameters
        let format = query.get("format") ?? "json"
        guard format == "json" || format == "csv" else { throw Problem.invalid("format", "must be json or csv") }
        let range = try MonthRange(from: query.get("from"), to: query.get("to"), now: payment.clock.now())
        let report = try await payment.earnings(of: provider.userID, over: range)
        guard format == "csv" else { return try .json(report) }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"mayago-earnings-\(range.from)-\(range.to).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: report.csv)))
    }

    /// What the platform owes the provider, per currency (negative after refunds taken back from it).
    @Sendable func balance(_ request: Request, context: ServiceRequestContext) async throws -> Balance {
        let provider = try context.requireRole(.provider)
        return Balance(balances: try await payment.balances(of: provider.userID))
    }

    /// The provider's payouts, newest first.
    @Sendable func payouts(_ request: Request, context: ServiceRequestContext) async throws -> Page<Payout> {
        let provider = try context.requireRole(.provider)
        let query = request.uri.queryParameters
        let limit = try PageLimit.parse(query.get("limit"), default: 20, maximum: 100)
        let items = try await payment.payouts(of: provider.userID, before: try KeysetCursor.parse(query.get("cursor")), limit: limit)
        return Page(items: items, nextCursor: KeysetCursor.next(after: items.last.map { ($0.createdAt, $0.id) }, count: items.count, limit: limit))
    }

    struct Onboarding: ResponseCodable {
        var url: String
    }

    /// Where the provider sets up their Stripe account to be paid.
    @Sendable func onboard(_ request: Request, context: ServiceRequestContext) async throws -> Onboarding {
        let provider = try context.requireRole(.provider)
        guard let url = try await payment.onboard(provider.userID) else {
            throw Problem.conflict("Payouts need no setup with the local provider.", code: "onboarding_not_needed")
        }
        return Onboarding(url: url)
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
        try await payment.setPayoutCurrency(body.currency, of: provider.userID)
        return body
    }

    /// An admin agrees another commission with one provider; releases from now on use it.
    @Sendable func setCommission(_ request: Request, context: ServiceRequestContext) async throws -> Commission {
        let admin = try context.requireRole(.admin)
        let providerID = try context.parameters.require("providerId", as: UUID.self)
        let body = try await request.decode(as: Commission.self, context: context)
        guard (0...10_000).contains(body.basisPoints) else { throw Problem.invalid("basisPoints", "must be from 0 to 10000 (100 %)") }
        try await payment.setCommission(body.basisPoints, of: providerID, by: admin, from: context.clientAddress)
        return Commission(providerId: providerID, basisPoints: body.basisPoints)
    }
}
