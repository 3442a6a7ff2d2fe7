import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Payment

@Suite struct PayoutAndInvoiceTests {
    @Test func aReleasedBalanceIsPaidOutOnceAndTheProviderIsTold() async throws {
        try await PaymentHarness.run(["PAYOUT_INTERVAL_MS": "100", "PAYOUT_MINIMUM": "1000"]) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider)
            _ = try await payments.pay(created, as: traveler)
            _ = try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId))

            let paidOut = try await eventually {
                try await payments.send(.get, "/api/v1/payouts", as: provider).decode(Page<Payout>.self).items.map(\.status) == [.paid]
            }
            #expect(paidOut)
            let payout = try await payments.send(.get, "/api/v1/payouts", as: provider).decode(Page<Payout>.self).items.first
            #expect(payout?.amount == Money(amount: 216_750, currency: "MXN"))
            #expect(
                try await payments.send(.get, "/api/v1/payouts/balance", as: provider).decode(PayoutRoutes.Balance.self).balances == [
                    Money(amount: 0, currency: "MXN")
                ])
            #expect(try await payments.balance("external:payouts") == 216_750)
            #expect(try await payments.ledgerIsBalanced())
            #expect(
                await payments.peers.first(NotificationRequest.self, at: NotificationRequest.path) { $0.type == .payoutSent && $0.recipientId == provider.id }
                    != nil)
            // Later rounds find nothing more to pay.
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await payments.send(.get, "/api/v1/payouts", as: provider).decode(Page<Payout>.self).items.count == 1)
            #expect(try await payments.send(.get, "/api/v1/payouts", as: traveler).status == .forbidden)
            #expect(try await payments.send(.post, "/api/v1/payouts/onboarding", as: provider).problem?.code == "onboarding_not_needed")
        }
    }

    @Test func thePaidPaymentHasANumberedInvoiceInJSONAndHTML() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let created = try await payments.payment(traveler: traveler, provider: provider)
            _ = try await payments.pay(created, as: traveler)
            let receipt = try #require(
                await payments.peers.first(NotificationRequest.self, at: NotificationRequest.path) {
                    $0.type == .paymentReceipt && $0.recipientId == traveler.id
                })
            guard case .string(let invoiceID)? = receipt.data["invoiceId"] else {
                Issue.record("no invoice id")
                return
            }
            let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).year!
            #expect(receipt.data["number"] == .string(String(format: "MG-%04d-000001", year)))

            let mine = try await payments.send(.get, "/api/v1/invoices/\(invoiceID)", as: traveler).decode(Invoice.self)
            #expect(mine.number == String(format: "MG-%04d-000001", year))
            #expect(mine.audience == .traveler)
            #expect(mine.total == created.amount)
            #expect(mine.commission == nil)
            let theirs = try await payments.send(.get, "/api/v1/invoices/\(invoiceID)", as: provider).decode(Invoice.self)
            #expect(theirs.commission == Money(amount: 38_250, currency: "MXN"))
            #expect(theirs.net == Money(amount: 216_750, currency: "MXN"))

            let headers: HTTPFields = [.authorization: "Bearer \(provider.token)", .accept: "text/html"]
            let html = try await payments.client.executeRequest(uri: "/api/v1/invoices/\(invoiceID)", method: .get, headers: headers, body: nil)
            #expect(html.headers[.contentType] == "text/html; charset=utf-8")
            #expect(html.text.contains(try #require(mine.number)))
            #expect(html.text.contains("2550.00 MXN"))
            #expect(html.text.contains("Your earnings"))
            #expect(try await payments.send(.get, "/api/v1/invoices/\(invoiceID)", as: try await PaymentHarness.user(.traveler)).status == .notFound)
        }
    }

    @Test func amountsReadWithTheCurrencysExponent() {
        #expect(Money(amount: 255_000, currency: "MXN").formatted == "2550.00 MXN")
        #expect(Money(amount: 5, currency: "USD").formatted == "0.05 USD")
        #expect(Money(amount: 999, currency: "JPY").formatted == "999 JPY")
        #expect(Money(amount: 1_234, currency: "KWD").formatted == "1.234 KWD")
        #expect(Money(amount: -10_500, currency: "MXN").formatted == "-105.00 MXN")
    }
}

@Suite struct ProviderTermsTests {
    @Test func anAgreedCommissionAndAPayoutCurrencyApplyToThatProvider() async throws {
        try await PaymentHarness.run(["PAYOUT_INTERVAL_MS": "100", "PAYOUT_MINIMUM": "1000", "PAYOUT_RATES": "MXN/USD=0.0550"]) { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let admin = try await PaymentHarness.user(.admin)
            let path = "/api/v1/payouts/providers/\(provider.id)/commission"
            #expect(try await payments.send(.put, path, ["basisPoints": 1000], as: provider).status == .forbidden)
            #expect(try await payments.send(.put, path, ["basisPoints": 10_001], as: admin).problem?.errors?.first?.field == "basisPoints")
            #expect(try await payments.send(.put, path, ["basisPoints": 1000], as: admin).status == .ok)
            #expect(try await payments.send(.put, "/api/v1/payouts/settings", ["currency": "usd"], as: provider).status == .badRequest)
            #expect(try await payments.send(.put, "/api/v1/payouts/settings", ["currency": "USD"], as: provider).status == .ok)

            let created = try await payments.payment(traveler: traveler, provider: provider, amount: 100_000)
            _ = try await payments.pay(created, as: traveler)
            _ = try await payments.internalCall(BookingPayments.ReleaseRequest.path, BookingPayments.ReleaseRequest(bookingId: created.bookingId))
            #expect(try await payments.balance("platform:commission") == 10_000)
            let paidOut = try await eventually {
                try await payments.send(.get, "/api/v1/payouts", as: provider).decode(Page<Payout>.self).items.map(\.status) == [.paid]
            }
            #expect(paidOut)
            let payout = try await payments.send(.get, "/api/v1/payouts", as: provider).decode(Page<Payout>.self).items.first
            #expect(payout?.amount == Money(amount: 90_000, currency: "MXN"))
            #expect(payout?.paid == Money(amount: 4950, currency: "USD"))
            #expect(payout?.rate == "0.055")
        }
    }

    @Test func ratesConvertWithEachCurrencysExponent() throws {
        let rates = try #require(PayoutRates("MXN/USD=0.0550, MXN/JPY=8.3,USD/KWD=0.3071"))
        #expect(rates.convert(Money(amount: 216_750, currency: "MXN"), to: "USD")?.paid == Money(amount: 11_921, currency: "USD"))
        #expect(rates.convert(Money(amount: 10_000, currency: "MXN"), to: "JPY")?.paid == Money(amount: 830, currency: "JPY"))
        #expect(rates.convert(Money(amount: 100, currency: "USD"), to: "KWD")?.paid == Money(amount: 307, currency: "KWD"))
        #expect(rates.convert(Money(amount: 100, currency: "USD"), to: "MXN") == nil)
        #expect(PayoutRates("MXN/USD=-1") == nil)
        #expect(PayoutRates("MXNUSD=0.05") == nil)
        #expect(PayoutRates("") != nil)
    }
}
