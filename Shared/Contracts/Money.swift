/// An amount of money: an integer count of the currency's minor units (cents for USD, yen for JPY) and its
/// ISO 4217 code. Never a float.
public struct Money: Codable, Hashable, Sendable {
    /// The amount in minor units.
    public var amount: Int64
    /// The ISO 4217 code, three upper-case letters.
    public var currency: String

    public init(amount: Int64, currency: String) {
        self.amount = amount
        self.currency = currency
    }

    /// Whether `code` has the shape of an ISO 4217 code.
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// Minor units per major unit, as a power of ten: JPY 0, KWD 3, most 2.
    public static func exponent(of currency: String) -> Int {
        switch currency {
        case "JPY", "KRW", "CLP", "VND", "ISK", "XOF", "XAF", "UGX", "PYG": 0
        case "KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD": 3
        default: 2
        }
    }

    /// The amount as people read it, with the currency's exponent: `2550.00 MXN`, `999 JPY`, `1.234 KWD`.
    public var formatted: String { "\(majorUnits) \(currency)" }

    /// The amount in major units without the currency: `2550.00`, `999`, `-1.234`.
    public var majorUnits: String {
        let exponent = Self.exponent(of: currency)
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        guard exponent > 0 else { return "\(sign)\(magnitude)" }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        return "\(sign)\(magnitude / divisor).\(String(repeating: "0", count: exponent - fraction.count))\(fraction)"
    }
}
