import Foundation
import Logging
import ServiceKit

/// Finds the webhooks that never came: each round reads back the provider's charge events since the last round
/// (with a margin, as Stripe may list an event a little after it happened) and receives them as the webhook does,
/// where an event known already changes nothing. One instance reads at a time, under a lease.
struct WebhookReadBack: PeriodicWork {
    let payment: PaymentService
    /// How far back the first round reads, and the margin of the next ones.
    let lookBack: TimeInterval
    let margin: TimeInterval = 300

    /// The events MayaGo applies to payments.
    static let types = [
        "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.requires_action", "charge.refunded", "charge.dispute.created",
        "charge.dispute.closed",
    ]

    func runOnce() async {
        let now = payment.clock.now()
        do {
            guard let lease = try await payment.sync.lease("stripe_events", for: 600, at: now) else { return }
            let since = (lease.coveredUntil ?? now.addingTimeInterval(-lookBack)).addingTimeInterval(-margin)
            var received = 0
            for payload in try await payment.provider.events(Self.types, since: since) {
                guard let event = try? JSONDecoder().decode(StripeEvent.self, from: payload) else { continue }
                try await payment.receive(event, payload: payload)
                received += 1
            }
            try await payment.sync.release("stripe_events", until: now)
            if received > 0 { payment.logger.debug("Read back the provider's events", metadata: ["events": "\(received)"]) }
        } catch {
            payment.logger.warning("Reading back the provider's events failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }
}
