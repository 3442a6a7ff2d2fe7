import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat
import ServiceKit

/// `POST /api/v1/webhooks/stripe`: Stripe's events, signed. A bad signature is a 400 and nothing is kept; a good
/// one goes to ``PaymentService/receive(_:payload:)``.
struct WebhookRoutes {
    let payment: PaymentService
    /// `STRIPE_WEBHOOK_SECRET`; without it the route does not exist.
    let signature: StripeSignature?

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
        guard let event = try? JSONDecoder().decode(StripeEvent.self, from: payload) else { throw Problem.invalid("body", "must be a Stripe event") }
        try await payment.receive(event, payload: payload)
        return Received(received: true)
    }
}

extension HTTPField.Name {
    static let stripeSignature = Self("Stripe-Signature")!
}
