import Contracts
import Foundation

/// Exchange rates for payouts, from `PAYOUT_RATES` (`MXN/USD=0.0550,EUR/USD=1.08`): a balance in one currency is paid
/// to a provider who wants another at the configured rate, rounded half up to the minor unit, and the rate is
/// recorded on the payout.
struct PayoutRates: Sendable, Equatable {
    private let rates: [String: Decimal]

    /// `nil` if `text` is not a list of `FROM/TO=rate` pairs with positive rates.
    init?(_ text: String) {
        var rates: [String: Decimal] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let rate = Decimal(string: String(parts[1]).trimmingCharacters(in: .whitespaces)), rate > 0 else { return nil }
            let currencies = parts[0].split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
            guard currencies.count == 2, currencies.allSatisfy(Money.isCurrencyCode) else { return nil }
            rates["\(currencies[0])/\(currencies[1])"] = rate
        }
        self.rates = rates
    }

    /// `amount` in `currency`, and the rate used; `nil` without a rate for that pair.
    func convert(_ amount: Money, to currency: String) -> (paid: Money, rate: Decimal)? {
        guard let rate = rates["\(amount.currency)/\(currency)"] else { return nil }
        let shift = Money.exponent(of: currency) - Money.exponent(of: amount.currency)
        var value = Decimal(amount.amount) * rate * pow(10, shift)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return (Money(amount: NSDecimalNumber(decimal: rounded).int64Value, currency: currency), rate)
    }
}
