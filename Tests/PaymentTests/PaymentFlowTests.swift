import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Payment

@Suite struct PaymentFlowTests {
    @Test func theEscrowCycleKeepsTheLedgerBalancedAtEveryStep() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider)
            #expect(created.status == .requiresPayment)
            #expect(created.clientSecret.hasPrefix("pi_local_"))
            // Asking again for the same booking answers with the same payment.
            let again = BookingPayments.PaymentRequest(
                bookingId: created.bookingId, travelerId: traveler.id, providerId: provider.id, amount: created.amount, description: "x")
            let repeated = try await payments.internalCall(BookingPayments.PaymentRequest.path, again)
            #expect(repeated.status == .ok)
            #expect(try repeated.decode(Payment.self).id == created.id)

            let paid = try await payments.pay(created, as: traveler)
            #expect(paid.status == .ok, "\(paid.text)")
            #expect(try paid.decode(Payment.self).status == .succeeded)
            #expect(try await payments.ledgerIsBalanced())
            #expect(try await payments.balance("escrow") == 255_000)
            let told = await payments.peers.first(BookingPayments.PaymentEvent.self, at: BookingPayments.PaymentEvent.path) {
                $0.bookingId == created.bookingId
            }
            #expect(told?.kind == .succeeded)
            #expect(told?.amount == created.amount)
            // Confirming again changes nothing.
            #expect(try await payments.pay(created, as: traveler).status == .ok)
            #expect(try await payments.balance("escrow") == 255_000)

            #expect(
                try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId)).status
                    == .noContent)
            #expect(
                try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId)).status
                    == .noContent)
            #expect(try await payments.balance("escrow") == 0)
            #expect(try await payments.balance("platform:commission") == 38_250)
            let balance = try await payments.send(.get, "/api/v1/payouts/balance", as: provider).decode(PayoutRoutes.Balance.self)
            #expect(balance.balances == [Money(amount: 216_750, currency: "MXN")])
            #expect(try await payments.ledgerIsBalanced())

            let admin = try await PaymentHarness.user(.admin)
            let check = try await payments.send(.get, "/api/v1/payments/ledger", as: admin).decode(PaymentRoutes.LedgerCheck.self)
            #expect(check.balanced)
            #expect(check.postings == 5)
            #expect(try await payments.send(.get, "/api/v1/payments/ledger", as: provider).status == .forbidden)
        }
    }

    @Test func aBookingServiceThatIsDownHearsOfThePaymentWhenItIsBack() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let created = try await payments.payment(traveler: traveler, provider: try await PaymentHarness.user(.provider))
            await payments.peers.setDown(true)
            #expect(try await payments.pay(created, as: traveler).status == .ok)
            try await Task.sleep(for: .milliseconds(500))
            #expect(await payments.peers.bodies(BookingPayments.PaymentEvent.self, at: BookingPayments.PaymentEvent.path).isEmpty)
            await payments.peers.setDown(false)
            let told = await payments.peers.first(BookingPayments.PaymentEvent.self, at: BookingPayments.PaymentEvent.path) {
                $0.bookingId == created.bookingId
            }
            #expect(told?.kind == .succeeded)
        }
    }

    @Test func declinedCardsNameTheReasonAndBadCardsNameTheField() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider)
            let declined = try await payments.pay(created, as: traveler, card: "4000 0000 0000 0002")
            #expect(declined.status.code == 402)
            #expect(declined.problem?.code == "card_declined")
            let poor = try await payments.pay(created, as: traveler, card: "4000000000009995")
            #expect(poor.problem?.code == "insufficient_funds")
            #expect(try await payments.balance("escrow") == 0)

            let bad = try await payments.send(
                .post, "/api/v1/payments/\(created.id)/confirm",
                ["card": ["number": "1234", "expMonth": 13, "expYear": 2001, "cvc": "x"] as [String: any Sendable]], as: traveler)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["card.number", "card.expMonth", "card.expYear", "card.cvc"])
            // Another traveler cannot pay, or see, this payment.
            let stranger = try await PaymentHarness.user(.traveler)
            #expect(try await payments.pay(created, as: stranger).status == .notFound)
            // The provider sees the payment, but only the traveler pays it.
            #expect(try await payments.pay(created, as: provider).status == .forbidden)
            #expect(try await payments.send(.get, "/api/v1/payments/\(created.id)", as: stranger).status == .notFound)
            #expect(try await payments.send(.get, "/api/v1/payments?bookingId=\(created.bookingId)", as: stranger).decode(Page<Payment>.self).items.isEmpty)
            #expect(
                try await payments.send(.get, "/api/v1/payments?bookingId=\(created.bookingId)", as: traveler).decode(Page<Payment>.self).items.map(\.id) == [
                    created.id
                ])
            #expect(try await payments.pay(created, as: traveler).status == .ok)
        }
    }

    @Test func refundsComeFromEscrowBeforeReleaseAndFromTheProviderAfter() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let admin = try await PaymentHarness.user(.admin)
            let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000)
            _ = try await payments.pay(created, as: traveler)

            // Booking's refund, delivered twice by its outbox, refunds once.
            let message = UUID()
            let refund = BookingPayments.RefundRequest(
                bookingId: created.bookingId, amount: Money(amount: 30_000, currency: "MXN"), reason: "cancelled_by_traveler")
            // Only Booking may ask for a refund: another service's valid credential is refused and moves no money.
            let search = await ServiceCredential(service: .search, secret: ServiceConfiguration.developmentSecret)
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund, caller: search).status == .forbidden)
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund, messageID: message).status == .noContent)
            #expect(try await payments.internalCall(BookingPayments.RefundRequest.path, refund, messageID: message).status == .noContent)
            #expect(try await payments.balance("escrow") == 70_000)
            #expect(try await payments.balance("external:cards") == -70_000)

            _ = try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId))
            #expect(try await payments.balance("provider:\(provider.id.uuidString.lowercased())") == 59_500)

            let tooMuch = try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["amount": 70_001, "reason": "goodwill"], as: admin)
            #expect(tooMuch.problem?.errors?.first?.field == "amount")
            #expect(try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["reason": "goodwill"], as: provider).status == .forbidden)
            let rest = try await payments.send(.post, "/api/v1/payments/\(created.id)/refunds", ["reason": "goodwill"], as: admin)
            #expect(try rest.decode(Payment.self).refunded == Money(amount: 100_000, currency: "MXN"))
            // Taken back from the provider's balance, which goes negative until the next payout nets it.
            #expect(try await payments.balance("provider:\(provider.id.uuidString.lowercased())") == -10_500)
            #expect(try await payments.balance("external:cards") == 0)
            #expect(try await payments.ledgerIsBalanced())
            let events = await payments.peers.bodies(BookingPayments.PaymentEvent.self, at: BookingPayments.PaymentEvent.path).filter {
                $0.bookingId == created.bookingId && $0.kind == .refunded
            }
            #expect(
                await eventually {
                    await payments.peers.bodies(BookingPayments.PaymentEvent.self, at: BookingPayments.PaymentEvent.path).filter {
                        $0.bookingId == created.bookingId && $0.kind == .refunded
                    }.count == 2
                }, "\(events)")
        }
    }
}

@Suite struct IdempotencyTests {
    @Test func aRepeatedKeyReplaysTheFirstAnswerAndAnotherBodyIs422() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let created = try await payments.payment(traveler: traveler, provider: try await PaymentHarness.user(.provider))
            let declined = try await payments.pay(created, as: traveler, card: "4000 0000 0000 0002", key: "attempt-1")
            #expect(declined.status.code == 402)
            // The same key and card: the same decline, replayed, without asking the card again.
            let replay = try await payments.pay(created, as: traveler, card: "4000 0000 0000 0002", key: "attempt-1")
            #expect(replay.status.code == 402)
            #expect(replay.headers[.idempotentReplayed] == "true")
            #expect(replay.problem?.code == "card_declined")
            let otherCard = try await payments.pay(created, as: traveler, key: "attempt-1")
            #expect(otherCard.status == .unprocessableContent)
            #expect(otherCard.problem?.code == "idempotency_key_reused")
            let noKey = try await payments.client.executeRequest(
                uri: "/api/v1/payments/\(created.id)/confirm", method: .post,
                headers: [.authorization: "Bearer \(traveler.token)", .contentType: "application/json"], body: ByteBuffer(string: "{}")
            )
            #expect(noKey.problem?.errors?.first?.field == "Idempotency-Key")
            let paid = try await payments.pay(created, as: traveler, key: "attempt-2")
            #expect(paid.status == .ok)
            #expect(try await payments.pay(created, as: traveler, key: "attempt-2").headers[.idempotentReplayed] == "true")
            #expect(try await payments.balance("escrow") == created.amount.amount)
        }
    }
}

@Suite struct PaymentDomainTests {
    @Test func splitsAddUpToTheWholeInEveryCurrency() {
        #expect(Split(255_000, commissionBasisPoints: 1500) == Split(provider: 216_750, platform: 38_250))
        #expect(Split(1001, commissionBasisPoints: 1500) == Split(provider: 851, platform: 150))
        #expect(Split(999, commissionBasisPoints: 1500) == Split(provider: 849, platform: 150))  // JPY: 149.85 rounds up
        #expect(Split(1, commissionBasisPoints: 1500) == Split(provider: 1, platform: 0))
        for amount in [1, 7, 99, 1001, 123_457, 9_999_999] as [Int64] {
            for rate in [0, 1, 1500, 3333, 10_000] {
                let split = Split(amount, commissionBasisPoints: rate)
                #expect(split.provider + split.platform == amount)
                #expect(split.provider >= 0 && split.platform >= 0)
            }
        }
    }

    @Test func ledgerTransactionsMustBalanceInEachCurrency() {
        #expect(Ledger.Transaction(.charge, [.init(account: .cards, amount: -5, currency: "MXN"), .init(account: .escrow, amount: 5, currency: "USD")]) == nil)
        #expect(Ledger.Transaction(.charge, []) == nil)
        let release = Ledger.release(Split(1001, commissionBasisPoints: 1500), to: UUID(), "KWD")
        #expect(release.postings.reduce(0) { $0 + $1.amount } == 0)
        #expect(TestCard.outcome(of: "4242-4242-4242-4242") == .succeeded)
        #expect(TestCard.outcome(of: "4111 1111 1111 1111") == nil)
    }
}
