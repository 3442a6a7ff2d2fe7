import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat
import PostgresNIO
import ServiceKit

/// `POST /api/v1/webhooks/stripe`: Stripe's events, signed. A bad signature is a 400 and nothing is kept; each
/// event is stored once by id and applied idempotently; one that arrives before what it depends on (a refund or a
/// dispute before the payment succeeded) waits and is applied after it.
struct WebhookRoutes {
    let payment: PaymentService
    /// `STRIPE_WEBHOOK_SECRET`; without it the route does not exist.
    let signature: StripeSignature?

    struct Event: Decodable {
        struct Body: Decodable {
            var object: JSONValue
        }

        var id: String
        var type: String
        var data: Body

        /// The MayaGo payment the object names in its metadata (set when the PaymentIntent was made).
        var paymentID: UUID? {
            guard case .string(let text)? = data.object["metadata"]?["payment_id"] else { return nil }
            return UUID(uuidString: text)
        }
    }

    struct Received: ResponseCodable {
        var received: Bool
    }

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/webhooks/stripe", use: receive)
    }

    @Sendable func receive(_ request: Request, context: ServiceRequestContext) async throws -> Received {
        guard let signature else { throw Problem.notFound("Stripe is not configured.") }
        var request = request
        let payload = Data(buffer: try await request.collectBody(upTo: 1 << 20))
        do {
            try signature.verify(header: request.headers[.stripeSignature], payload: payload, now: payment.clock.now())
        } catch {
            throw Problem(.badRequest, detail: "The Stripe-Signature is missing, stale or wrong.", code: "invalid_signature")
        }
        guard let event = try? JSONDecoder().decode(Event.self, from: payload) else { throw Problem.invalid("body", "must be a Stripe event") }
        try await payment.transaction { connection in
            let paymentID = try await paymentID(of: event, on: connection)
            let inserted = try await connection.query(
                """
                INSERT INTO stripe_events (id, type, payment_id, payload, received_at)
                VALUES (\(event.id), \(event.type), \(paymentID), \(String(decoding: payload, as: UTF8.self))::jsonb, \(payment.clock.now()))
                ON CONFLICT DO NOTHING RETURNING id
                """,
                logger: payment.logger
            )
            var isNew = false
            for try await _ in inserted { isNew = true }
            guard isNew else { return }
            if event.type.hasPrefix("payout.") {
                try await applyPayout(payload, on: connection)
                try await connection.query("UPDATE stripe_events SET processed_at = \(payment.clock.now()) WHERE id = \(event.id)", logger: payment.logger)
            } else if let paymentID {
                try await applyWaiting(for: paymentID, on: connection)
            }
        }
        return Received(received: true)
    }

    /// The payment an event is about: named in the object's metadata (PaymentIntents and their charges), or by its
    /// PaymentIntent (disputes).
    private func paymentID(of event: Event, on connection: PostgresConnection) async throws -> UUID? {
        if let id = event.paymentID { return id }
        guard case .string(let intent)? = event.data.object["payment_intent"] else { return nil }
        return try await payment.payments.find(reference: intent, on: connection)
    }

    /// `payout.paid` and `payout.failed` of a connected account: the payout object says where it stands now, so
    /// events in any order end where Stripe is.
    private func applyPayout(_ payload: Data, on connection: PostgresConnection) async throws {
        let event = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
        guard let object = (event?["data"] as? [String: Any])?["object"] as? [String: Any], let answer = StripeProvider.payout(object),
            let payout = try await payment.payouts.find(answer.payoutID, reference: answer.reference, on: connection)
        else { return }
        try await payment.settle(payout, as: answer, on: connection)
    }

    /// Applies the payment's unapplied events, oldest first, until none can go further.
    private func applyWaiting(for paymentID: UUID, on connection: PostgresConnection) async throws {
        var progressed = true
        while progressed {
            progressed = false
            let rows = try await connection.query(
                "SELECT id, payload::text FROM stripe_events WHERE payment_id = \(paymentID) AND processed_at IS NULL ORDER BY received_at",
                logger: payment.logger
            )
            var waiting: [(String, String)] = []
            for try await row in rows.decode((String, String).self) { waiting.append(row) }
            for (id, text) in waiting {
                guard let event = try? JSONDecoder().decode(Event.self, from: Data(text.utf8)), try await apply(event, to: paymentID, on: connection) else { continue }
                try await connection.query("UPDATE stripe_events SET processed_at = \(payment.clock.now()) WHERE id = \(id)", logger: payment.logger)
                progressed = true
            }
        }
    }

    /// Whether `event` could be applied now (or never needs to be).
    private func apply(_ event: Event, to paymentID: UUID, on connection: PostgresConnection) async throws -> Bool {
        guard var found = try await payment.payments.find(paymentID, on: connection, forUpdate: true) else { return false }
        switch event.type {
        case "payment_intent.succeeded":
            if found.status == .requiresPayment { _ = try await payment.capture(found, on: connection) }
            return true
        case "payment_intent.payment_failed":
            guard found.status == .requiresPayment else { return true }
            if case .string(let code)? = event.data.object["last_payment_error"]?["code"] { found.lastError = code }
            try await payment.payments.save(found, at: payment.clock.now(), on: connection)
            return true
        case "charge.refunded":
            guard found.status != .requiresPayment else { return false }
            guard case .number(let refunded)? = event.data.object["amount_refunded"] else { return true }
            let more = Int64(refunded) - found.refunded.amount
            if more > 0 { _ = try await payment.refund(found, amount: more, reason: "refunded at Stripe", atProvider: false, on: connection) }
            return true
        case "charge.dispute.created":
            guard found.status != .requiresPayment else { return false }
            guard case .string(let dispute)? = event.data.object["id"], case .number(let amount)? = event.data.object["amount"] else { return true }
            let reason = if case .string(let text)? = event.data.object["reason"] { text } else { "unknown" }
            try await payment.dispute(found, id: dispute, amount: Int64(amount), reason: reason, on: connection)
            return true
        default:
            return true
        }
    }
}

extension HTTPField.Name {
    static let stripeSignature = Self("Stripe-Signature")!
}
