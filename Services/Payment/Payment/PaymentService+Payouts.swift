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

    /// An admin agrees `basisPoints` with the provider; the audit log hears of it.
    func setCommission(_ basisPoints: Int, of providerID: UUID, by admin: Identity, from address: String?) async throws {
        try await transaction { connection in
            let now = clock.now()
            try await terms.setCommission(basisPoints, of: providerID, at: now, on: connection)
            let action = AdminAction(
                adminId: admin.userID, action: "commission_changed", subject: providerID.lowercasedString, detail: "\(basisPoints) basis points",
                address: address, occurredAt: now)
            try await Outbox.enqueue(action, on: connection, logger: logger)
        }
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
        let source: Ledger.Account = payment.status == .released ? .provider(payment.providerId) : .escrow
        guard taken > 0, try await payments.recordDispute(id, of: taken, from: source, to: payment.id, reason: reason, at: now, on: connection) else { return }
        try await ledger.append(Ledger.dispute(taken, payment.amount.currency, from: source), paymentID: payment.id, at: now, on: connection)
        var updated = payment
        updated.disputed.amount += taken
        try await payments.save(updated, at: now, on: connection)
    }

    /// Stripe closed dispute `id`: a won one gives its money back, to escrow if it came from there and the payment is
    /// still held (to be released or refunded as usual), else to the provider's balance. A lost one changes nothing:
    /// the money left when it opened. Closing twice does nothing. `false` when the dispute is not known yet (its
    /// `charge.dispute.created` has not been applied), so that the event waits for it.
    func closeDispute(_ payment: Payment, id: String, status: String, on connection: PostgresConnection) async throws -> Bool {
        let now = clock.now()
        switch try await payments.closeDispute(id, of: payment.id, status: status, at: now, on: connection) {
        case .unknown: return false
        case .closedAlready: return true
        case .closed(let amount, let fromEscrow):
            guard status == "won" else { return true }
            let destination: Ledger.Account = fromEscrow && payment.status != .released ? .escrow : .provider(payment.providerId)
            try await ledger.append(Ledger.disputeWon(amount, payment.amount.currency, to: destination), paymentID: payment.id, at: now, on: connection)
            var updated = payment
            updated.disputed.amount -= amount
            try await payments.save(updated, at: now, on: connection)
            return true
        }
    }

    /// The provider's earnings over `range`, per month and experience.
    func earnings(of providerID: UUID, over range: MonthRange) async throws -> EarningsReport {
        EarningsReport(from: range.from, to: range.to, lines: try await reports.earnings(of: providerID, from: range.start, to: range.end))
    }

    /// The platform's revenue over `range`, per currency.
    func revenue(over range: MonthRange) async throws -> RevenueSummary {
        RevenueSummary(from: range.from, to: range.to, currencies: try await reports.revenue(from: range.start, to: range.end))
    }

    private func notify(_ type: NotificationType, _ payout: Payout, on connection: PostgresConnection) async throws {
        var data: [String: JSONValue] = [
            "amount": .object(["amount": .number(Double(payout.paid.amount)), "currency": .string(payout.paid.currency)]),
            "payoutId": .string(payout.id.lowercasedString),
        ]
        if let failure = payout.failure { data["failure"] = .string(failure) }
        let notice = NotificationRequest(
            type: type, recipientId: payout.providerId, data: data, idempotencyKey: "\(type.rawValue):\(payout.id.lowercasedString)"
        )
        try await Outbox.enqueue(notice, on: connection, logger: logger)
    }
}
