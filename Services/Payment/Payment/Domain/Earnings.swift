import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What a provider earned in one month from one experience, in one currency, as the ledger says: the gross of the
/// bookings released that month, the platform's commission on it, what refunds and disputes took back from the
/// provider's balance, and the net that reached it.
struct EarningsLine: Codable, Sendable, Equatable {
    /// `yyyy-MM`, in UTC.
    var month: String
    var experienceId: UUID?
    var experienceTitle: String
    var bookings: Int
    var gross: Money
    var commission: Money
    var takenBack: Money
    var net: Money
}

/// A provider's earnings report.
struct EarningsReport: ResponseCodable, Sendable, Equatable {
    var from: String
    var to: String
    var lines: [EarningsLine]

    /// The report as CSV (RFC 4180): one row per line, amounts in major units with the currency's decimals.
    var csv: String {
        var rows = ["month,experience_id,experience,bookings,currency,gross,commission,taken_back,net"]
        for line in lines {
            let fields = [
                line.month, line.experienceId?.lowercasedString ?? "", line.experienceTitle, String(line.bookings), line.gross.currency,
                line.gross.majorUnits, line.commission.majorUnits, line.takenBack.majorUnits, line.net.majorUnits,
            ]
            rows.append(fields.map(Self.quoted).joined(separator: ","))
        }
        return rows.joined(separator: "\r\n") + "\r\n"
    }

    /// A field quoted when it holds a comma, a quote or a line break, its quotes doubled; one that a spreadsheet
    /// would read as a formula (`=`, `+`, `-`, `@`) is prefixed with a quote mark.
    static func quoted(_ field: String) -> String {
        var field = field
        if let first = field.first, "=+-@".contains(first), Double(field) == nil { field = "'" + field }
        guard field.contains(where: { ",\"\r\n".contains($0) }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

}

/// The platform's money over a period, per currency, from the ledger.
struct RevenueSummary: ResponseCodable, Sendable, Equatable {
    struct Currency: Codable, Sendable, Equatable {
        var currency: String
        var payments: Int
        var charged: Int64
        var refunded: Int64
        /// Taken by disputes, less what won disputes gave back.
        var disputed: Int64
        var commission: Int64
        var paidOut: Int64
    }

    var from: String
    var to: String
    var currencies: [Currency]
}

/// Whole months in UTC, `from` and `to` (`yyyy-MM`) both included, at most 36 of them.
struct MonthRange: Sendable, Equatable {
    var from: String
    var to: String
    var start: Date
    var end: Date

    /// The range `from` to `to`; one alone is that month, neither is the month of `now`. A month that is not one is
    /// a 400, a range that runs backwards or past 36 months a 422, each naming the field.
    init(from: String?, to: String?, now: Date) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let current = calendar.dateComponents([.year, .month], from: now)
        func month(_ text: String, _ field: String) throws -> DateComponents {
            guard let match = text.wholeMatch(of: /([0-9]{4})-(0[1-9]|1[0-2])/) else {
                throw Problem.invalid(field, "must be a month such as 2026-11")
            }
            return DateComponents(year: Int(match.1), month: Int(match.2))
        }
        let given = (from: try from.map { try month($0, "from") }, to: try to.map { try month($0, "to") })
        let first = given.from ?? given.to ?? current
        let last = given.to ?? given.from ?? current
        guard let start = calendar.date(from: first), let lastStart = calendar.date(from: last),
            let end = calendar.date(byAdding: .month, value: 1, to: lastStart), start < end,
            let months = calendar.dateComponents([.month], from: start, to: end).month, months <= 36
        else { throw Problem.refused("to", "must be on or after from, within 36 months") }
        self.from = String(format: "%04d-%02d", first.year ?? 0, first.month ?? 0)
        self.to = String(format: "%04d-%02d", last.year ?? 0, last.month ?? 0)
        self.start = start
        self.end = end
    }
}
