import Contracts
import Foundation
import PostgresNIO
import ServiceKit

extension PaymentService {
    /// What the platform owes the provider, per currency.
    func balances(of providerID: UUID) async throws -> [Money] {
        try await ledger.balances(of: .provider(providerID))
    }

    /// The provider's payouts, newest first.
    func payouts(of providerID: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> [Payout] {
        try await payouts.page(of: providerID, before: cursor, limit: limit)
    }

    /// A link where the provider sets up their connected account (made on the first visit); `nil` when the provider
    /// needs none.
    func onboard(_ providerID: UUID) async throws -> String? {
        let existing = try await payments.connectedAccount(of: providerID)
        let returnURL = settings.publicURL.appendingPathComponent("provider/payouts")
        guard let link = try await provider.onboard(providerID, account: existing, returnURL: returnURL) else { return nil }
        if existing == nil { try await payments.saveConnectedAccount(link.account, of: providerID, at: clock.now()) }
        return link.url
    }

    func setPayoutCurrency(_ currency: String, of providerID: UUID) async throws {
        try await terms.setPayoutCurrency(currency, of: providerID, at: clock.now())
    }

    func setCommission(_ basisPoints: Int, of providerID: UUID) async throws {
        try await terms.setCommission(basisPoints, of: providerID, at: clock.now())
    }

    /// Records what the provider says became of a locked `payout`. Paid: the provider hears of it. Failed (also after
    /// paid, when a bank returns the money): the money goes back to their balance for a later round and they hear
    /// of that. A failed payout stays failed, so events arriving late or twice change nothing.
    func settle(_ payout: Payout, as answer: ProviderPayout, on connection: PostgresConnection) async throws {
        var settled = payout
        settled.status = answer.status
        settled.failure = answer.failure
        let now = clock.now()
        switch (payout.status, answer.status) {
        case (.pending, .pending):
            break
        case (.pending, .paid):
            try await notify(.payoutSent, settled, on: connection)
        case (.pending, .failed), (.paid, .failed):
            try await ledger.append(
                Ledger.payoutReturned(payout.amount.amount, payout.amount.currency, to: payout.providerId), payoutID: payout.id, at: now, on: connection)
            try await notify(.payoutFailed, settled, on: connection)
        default:
            return
        }
        try await payouts.update(settled, reference: answer.reference, at: now, on: connection)
    }

    /// A dispute `id` the traveler's bank opened for up to `amount` of a paid, locked `payment`: that money is taken
    /// out of escrow before the release, out of the provider's balance after it. Once per dispute.
    func dispute(_ payment: Payment, id: String, amount: Int64, reason: String, on connection: PostgresConnection) async throws {
        let taken = min(amount, payment.held)
        let now = clock.now()
        guard taken > 0, try await payments.recordDispute(id, of: taken, to: payment.id, reason: reason, at: now, on: connection) else { return }
        let source: Ledger.Account = payment.status == .released ? .provider(payment.providerId) : .escrow
        try await ledger.append(Ledger.dispute(taken, payment.amount.currency, from: source), paymentID: payment.id, at: now, on: connection)
        var updated = payment
        updated.disputed.amount += taken
        try await payments.save(updated, at: now, on: connection)
    }

    private func notify(_ type: NotificationType, _ payout: Payout, on connection: PostgresConnection) async throws {
        var data: [String: JSONValue] = [
            "amount": .object(["amount": .number(Double(payout.paid.amount)), "currency": .string(payout.paid.currency)]),
            "payoutId": .string(payout.id.uuidString.lowercased()),
        ]
        if let failure = payout.failure { data["failure"] = .string(failure) }
        let notice = NotificationRequest(
            type: type, recipientId: payout.providerId, data: data, idempotencyKey: "\(type.rawValue):\(payout.id.uuidString.lowercased())"
        )
        try await Outbox.enqueue(notice, on: connection, logger: logger)
    }
}
