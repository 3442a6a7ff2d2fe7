import Foundation

/// A provider's weekly rule ("Tuesdays and Saturdays at 09:00 and 15:00 from 1 December to 31 March"), read in
/// the experience's time zone: 09:00 stays 09:00 local across daylight-saving changes, so its UTC instant moves.
struct WeeklySchedule: Sendable, Equatable {
    /// ISO weekdays: 1 is Monday, 7 is Sunday.
    var weekdays: Set<Int>
    /// Local start times as (hour, minute).
    var startTimes: [LocalTime]
    /// The first and last local dates, both included.
    var from: LocalDate
    var until: LocalDate
    var timeZone: TimeZone

    /// The start instants, in order. A local time that does not exist on a day (skipped by a spring-forward
    /// change) starts at the first valid minute after it; one that exists twice (fall-back) at the first.
    func startInstants() -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard var day = calendar.date(from: from.components), let last = calendar.date(from: until.components) else { return [] }
        var instants: [Date] = []
        while day <= last {
            let weekday = calendar.component(.weekday, from: day)  // 1 is Sunday in Foundation
            let iso = weekday == 1 ? 7 : weekday - 1
            if weekdays.contains(iso) {
                let date = calendar.dateComponents([.year, .month, .day], from: day)
                for time in startTimes {
                    var components = date
                    components.hour = time.hour
                    components.minute = time.minute
                    if let instant = calendar.date(from: components) { instants.append(instant) }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return instants.sorted()
    }
}

/// `HH:mm`, a time of day without a zone.
struct LocalTime: Sendable, Equatable, Codable, CustomStringConvertible {
    var hour: Int
    var minute: Int

    init?(_ text: String) {
        guard let match = text.wholeMatch(of: /([01][0-9]|2[0-3]):([0-5][0-9])/) else { return nil }
        self.hour = Int(match.1)!
        self.minute = Int(match.2)!
    }

    var description: String { String(format: "%02d:%02d", hour, minute) }
}

/// `yyyy-MM-dd`, a calendar date without a zone.
struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    var year: Int
    var month: Int
    var day: Int

    init?(_ text: String) {
        guard let match = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/) else { return nil }
        let (year, month, day) = (Int(match.1)!, Int(match.2)!, Int(match.3)!)
        var components = DateComponents(year: year, month: month, day: day)
        components.calendar = Calendar(identifier: .gregorian)
        guard components.isValidDate else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date it is in `zone` at `instant`.
    init(_ instant: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = calendar.dateComponents([.year, .month, .day], from: instant)
        self.year = components.year ?? 1970
        self.month = components.month ?? 1
        self.day = components.day ?? 1
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be a date such as 2026-12-24"))
        }
        self = date
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    var components: DateComponents { DateComponents(year: year, month: month, day: day) }

    var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days from `self` to `other`.
    func days(to other: LocalDate) -> Int {
        let calendar = Calendar(identifier: .gregorian)
        guard let start = calendar.date(from: components), let end = calendar.date(from: other.components) else { return 0 }
        return calendar.dateComponents([.day], from: start, to: end).day ?? 0
    }
}
