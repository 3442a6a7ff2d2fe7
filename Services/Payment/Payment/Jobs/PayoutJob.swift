import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Each round: takes each provider's balance of at least `minimum` (per currency) into a pending payout, sends
/// the pending payouts the provider has not acknowledged, and reads back the ones still in transit whose webhook
/// never came. A lock per provider and currency (re-reading the balance under it) keeps two instances from taking
/// the same money twice; a payout the provider refuses gives its money back to the balance for the next round.
struct PayoutJob: PeriodicWork {
    let payment: PaymentService
    let minimum: Int64
    let rates: PayoutRates

    func runOnce() async {
        do {
            for (provider, currency, _) in try await payment.payouts.due(minimum: minimum) {
                try await take(provider, currency)
            }
            for payout in try await payment.payouts.unsent() {
                try await send(payout)
            }
            for (provider, since) in try await payment.payouts.inTransit() {
                for answer in try await payment.provider.payouts(of: provider, since: since) where answer.status != .pending {
                    try await record(answer, for: answer.payoutID)
                }
            }
        } catch {
            payment.logger.warning("Payout round failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }

    /// Moves the provider's balance into a pending payout, in the currency they asked for when a rate is configured.
    private func take(_ provider: UUID, _ currency: String) async throws {
        let account = Ledger.Account.provider(provider)
        try await payment.transaction { connection in
            let balance = try await payment.ledger.lockedBalance(of: account, in: currency, on: connection)
            guard balance >= minimum else { return }
            let amount = Money(amount: balance, currency: currency)
            let wanted = try await payment.terms.payoutCurrency(of: provider)
            let converted = wanted.flatMap { $0 == currency ? nil : rates.convert(amount, to: $0) }
            let payout = Payout(
                id: UUID.random(), providerId: provider, amount: amount, paid: converted?.paid ?? amount,
                rate: converted.map { "\($0.rate)" }, status: .pending, createdAt: payment.clock.now()
            )
            try await payment.payouts.insert(payout, on: connection)
            try await payment.ledger.append(Ledger.payout(balance, currency, to: provider), payoutID: payout.id, at: payout.createdAt, on: connection)
        }
    }

    /// Sends a payout to the provider; a refusal fails it, anything else (the provider unreachable or busy) leaves
    /// it for the next round, when the same idempotency key makes the second try the same payout.
    private func send(_ payout: Payout) async throws {
        do {
            let answer = try await payment.provider.send(payout)
            try await record(answer, for: payout.id)
        } catch let refusal as ProviderError where refusal.isRefusal {
            try await record(ProviderPayout(reference: nil, payoutID: payout.id, status: .failed, failure: refusal.code ?? "refused"), for: payout.id)
        }
    }

    private func record(_ answer: ProviderPayout, for id: UUID?) async throws {
        try await payment.transaction { connection in
            guard let payout = try await payment.payouts.find(id, reference: answer.reference, on: connection) else { return }
            try await payment.settle(payout, as: answer, on: connection)
        }
    }
}
