import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Every `interval`, pays each provider's balance of at least `minimum`, per currency, and tells them. A lock per
/// provider and currency (re-reading the balance under it) keeps two instances from paying the same money twice.
/// The local provider's transfers always arrive; a failing transfer (Stripe's, later) would return the money to
/// the balance for the next round.
struct PayoutJob: Service {
    let payment: PaymentService
    let interval: Duration
    let minimum: Int64
    let rates: PayoutRates
    let isMigrated: @Sendable () -> Bool

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if isMigrated() { await runOnce() }
                try await Task.sleep(for: interval)
            }
        }
    }

    func runOnce() async {
        do {
            for (provider, currency, _) in try await payment.payouts.due(minimum: minimum) {
                try await pay(provider, currency)
            }
        } catch {
            payment.logger.warning("Payout round failed; retrying next round", metadata: ["error": "\(error)"])
        }
    }

    private func pay(_ provider: UUID, _ currency: String) async throws {
        let account = Ledger.Account.provider(provider)
        try await payment.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(account.description + ":" + currency)))", logger: payment.logger)
            let rows = try await connection.query(
                "SELECT coalesce(sum(amount), 0)::bigint FROM ledger_postings WHERE account = \(account.description) AND currency = \(currency)",
                logger: payment.logger
            )
            var balance: Int64 = 0
            for try await sum in rows.decode(Int64.self) { balance = sum }
            guard balance >= minimum else { return }
            let now = payment.clock.now()
            let amount = Money(amount: balance, currency: currency)
            // In the currency the provider asked for when a rate is configured; in the balance's own otherwise.
            let wanted = try await payment.terms.payoutCurrency(of: provider)
            let converted = wanted.flatMap { $0 == currency ? nil : rates.convert(amount, to: $0) }
            let payout = Payout(
                id: UUID(), providerId: provider, amount: amount, paid: converted?.paid ?? amount,
                rate: converted.map { "\($0.rate)" }, status: .paid, createdAt: now
            )
            try await payment.payouts.insert(payout, on: connection)
            try await payment.ledger.append(Ledger.payout(balance, currency, to: provider), payoutID: payout.id, at: now, on: connection)
            let notice = NotificationRequest(
                type: .payoutSent, recipientId: provider,
                data: [
                    "amount": .object(["amount": .number(Double(payout.paid.amount)), "currency": .string(payout.paid.currency)]),
                    "payoutId": .string(payout.id.uuidString.lowercased()),
                ],
                idempotencyKey: "payout:\(payout.id.uuidString.lowercased())"
            )
            try await Outbox.enqueue(try OutboxMessage(to: .notify, path: NotificationRequest.path, body: notice), on: connection, logger: payment.logger)
        }
    }
}
