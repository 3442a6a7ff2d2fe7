import Foundation
import Logging
import ServiceKit

/// Finishes the provider calls whose sender stopped before applying them (a crash, a provider out of reach, a
/// client that never retried), so that a claim never holds a payment's money for long.
struct ClaimedCallJob: PeriodicWork {
    let payment: PaymentService
    /// How long a claim may wait before it counts as abandoned; its sender usually finishes within a second.
    let patience: Duration

    func runOnce() async {
        do {
            let before = payment.clock.now().addingTimeInterval(-Double(patience.components.seconds))
            for id in try await payment.payments.claimedCalls(before: before) {
                try await payment.finishClaimedCall(of: id)
            }
        } catch {
            payment.logger.warning("Claimed provider calls wait for the next round", metadata: ["error": "\(error)"])
        }
    }
}
