import AsyncHTTPClient
import Contracts
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Stripe Connect, "separate charges and transfers": a PaymentIntent charges the traveler on the platform's
/// account, Refunds give money back, a Transfer (in the booking's transfer group) pays the provider's connected
/// account at release, and the provider's balance leaves as a payout of that account (`Stripe-Account`), read back
/// page by page. Form-encoded requests with an `Idempotency-Key` on every POST.
struct StripeProvider: ChargeProvider {
    let apiKey: String
    let baseURL: URL
    let http: HTTPClient
    let logger: Logger
    /// The connected account (`acct_…`) of a provider, from Stripe onboarding.
    let connectedAccount: @Sendable (UUID) async throws -> String?

    var confirmsTestCards: Bool { false }

    func createCharge(for payment: Payment) async throws -> ProviderCharge {
        let intent = try await post(
            "/v1/payment_intents",
            [
                ("amount", String(payment.amount.amount)),
                ("currency", payment.amount.currency.lowercased()),
                ("automatic_payment_methods[enabled]", "true"),
                ("description", payment.description),
                ("transfer_group", payment.bookingId.lowercasedString),
                ("metadata[payment_id]", payment.id.lowercasedString),
                ("metadata[booking_id]", payment.bookingId.lowercasedString),
            ], idempotencyKey: "payment-\(payment.bookingId.lowercasedString)")
        guard let id = intent["id"] as? String, let secret = intent["client_secret"] as? String else {
            throw ProviderError(status: 502, code: nil, description: "Stripe answered a PaymentIntent without an id or client secret.")
        }
        return ProviderCharge(reference: id, clientSecret: secret)
    }

    func refund(_ amount: Money, of reference: String, idempotencyKey: String) async throws {
        _ = try await post("/v1/refunds", [("payment_intent", reference), ("amount", String(amount.amount))], idempotencyKey: idempotencyKey)
    }

    func transfer(_ amount: Money, to providerID: UUID, for payment: Payment, idempotencyKey: String) async throws {
        let account = try await destination(of: providerID)
        _ = try await post(
            "/v1/transfers",
            [
                ("amount", String(amount.amount)), ("currency", amount.currency.lowercased()), ("destination", account),
                ("transfer_group", payment.bookingId.lowercasedString),
            ], idempotencyKey: idempotencyKey)
    }

    func send(_ payout: Payout) async throws -> ProviderPayout {
        let account = try await destination(of: payout.providerId)
        let id = payout.id.lowercasedString
        let object = try await post(
            "/v1/payouts",
            [
                ("amount", String(payout.paid.amount)), ("currency", payout.paid.currency.lowercased()), ("metadata[payout_id]", id),
            ], idempotencyKey: "payout-\(id)", account: account)
        guard let payout = Self.payout(object) else { throw ProviderError(status: 502, code: nil, description: "Stripe answered a payout without an id.") }
        return payout
    }

    func payouts(of providerID: UUID, since: Date) async throws -> [ProviderPayout] {
        let account = try await destination(of: providerID)
        var found: [ProviderPayout] = []
        var after: String?
        repeat {
            var query = [("limit", "100"), ("created[gte]", String(Int(since.timeIntervalSince1970)))]
            if let after { query.append(("starting_after", after)) }
            let page = try await call(.GET, "/v1/payouts?" + Self.formEncoded(query), account: account)
            let objects = page["data"] as? [[String: Any]] ?? []
            found += objects.compactMap(Self.payout)
            after = (page["has_more"] as? Bool) == true ? objects.last?["id"] as? String : nil
        } while after != nil
        return found
    }

    /// Pages through `GET /v1/events` (newest first, 50 a page) and answers the events oldest first.
    func events(_ types: [String], since: Date) async throws -> [Data] {
        var found: [Data] = []
        var after: String?
        repeat {
            var query = [("limit", "50"), ("created[gte]", String(Int(since.timeIntervalSince1970)))] + types.map { ("types[]", $0) }
            if let after { query.append(("starting_after", after)) }
            let page = try await call(.GET, "/v1/events?" + Self.formEncoded(query))
            let objects = page["data"] as? [[String: Any]] ?? []
            found += try objects.map { try JSONSerialization.data(withJSONObject: $0) }
            after = (page["has_more"] as? Bool) == true ? objects.last?["id"] as? String : nil
        } while after != nil
        return found.reversed()
    }

    /// Stripe's payout object: `pending` and `in_transit` are on their way, `failed` and `canceled` did not arrive.
    static func payout(_ object: [String: Any]) -> ProviderPayout? {
        guard let reference = object["id"] as? String else { return nil }
        let status: Payout.Status =
            switch object["status"] as? String {
            case "paid": .paid
            case "failed", "canceled": .failed
            default: .pending
            }
        let payoutID = ((object["metadata"] as? [String: Any])?["payout_id"] as? String).flatMap(UUID.init(uuidString:))
        return ProviderPayout(reference: reference, payoutID: payoutID, status: status, failure: object["failure_code"] as? String)
    }

    func onboard(_ providerID: UUID, account: String?, returnURL: URL) async throws -> (account: String, url: String)? {
        var id = account
        if id == nil {
            let created = try await post(
                "/v1/accounts", [("type", "express"), ("metadata[provider_id]", providerID.lowercasedString)],
                idempotencyKey: "account-\(providerID.lowercasedString)"
            )
            id = created["id"] as? String
        }
        guard let id else { throw ProviderError(status: 502, code: nil, description: "Stripe answered an account without an id.") }
        let link = try await post(
            "/v1/account_links",
            [
                ("account", id), ("type", "account_onboarding"), ("refresh_url", returnURL.absoluteString), ("return_url", returnURL.absoluteString),
            ], idempotencyKey: "link-\(id)-\(UUID.random().uuidString)")
        guard let url = link["url"] as? String else { throw ProviderError(status: 502, code: nil, description: "Stripe answered a link without a URL.") }
        return (id, url)
    }

    /// The provider's connected account (`acct_…`), which they have once onboarding is done.
    private func destination(of providerID: UUID) async throws -> String {
        guard let account = try await connectedAccount(providerID) else {
            throw ProviderError(status: 400, code: "no_connected_account", description: "The provider has not finished Stripe onboarding.")
        }
        return account
    }

    /// A form-encoded POST, on behalf of a connected `account` when given.
    private func post(_ path: String, _ fields: [(String, String)], idempotencyKey: String, account: String? = nil) async throws -> [String: Any] {
        try await call(.POST, path, body: Self.formEncoded(fields), idempotencyKey: idempotencyKey, account: account)
    }

    /// One call of Stripe's API; its error object (`{"error": {"type", "code", "message"}}`) becomes a ``ProviderError``.
    private func call(
        _ method: HTTPMethod, _ path: String, body: String? = nil, idempotencyKey: String? = nil, account: String? = nil
    ) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let account { request.headers.add(name: "Stripe-Account", value: account) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30), logger: logger)
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status.code) else {
            let error = object["error"] as? [String: Any]
            throw ProviderError(
                status: Int(response.status.code), code: (error?["code"] as? String) ?? (error?["type"] as? String),
                description: (error?["message"] as? String) ?? "Stripe answered \(response.status.code)."
            )
        }
        return object
    }

    static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }
}
