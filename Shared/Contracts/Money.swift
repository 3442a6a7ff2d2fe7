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
}
