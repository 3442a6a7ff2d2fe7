import Foundation

/// The common part of an iCalendar `RRULE` (RFC 5545 §3.3.10), as calendar apps write it for a busy time that
/// repeats: `FREQ` daily, weekly, monthly or yearly, `INTERVAL`, `COUNT` or `UNTIL`, and `BYDAY` weekdays on a
/// weekly rule. Occurrences keep the first one's local time in its time zone, across daylight-saving changes.
struct RecurrenceRule: Sendable, Equatable {
    enum Frequency: String, Sendable {
        case daily = "DAILY"
        case weekly = "WEEKLY"
        case monthly = "MONTHLY"
        case yearly = "YEARLY"

        var component: Calendar.Component {
            switch self {
            case .daily: .day
            case .weekly: .weekOfYear
            case .monthly: .month
            case .yearly: .year
            }
        }
    }

    var frequency: Frequency
    var interval = 1
    var count: Int?
    var until: Date?
    /// `Calendar` weekday numbers (1 is Sunday); empty: the first occurrence's weekday.
    var weekdays: Set<Int> = []

    static let weekdayCodes = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]

    /// Parses `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20270101T000000Z`; `nil` for a rule with parts beyond the
    /// common ones (`BYSETPOS`, `BYMONTHDAY`, ordinal weekdays, …), whose occurrences this does not compute.
    init?(_ text: String, timeZone: TimeZone) {
        var frequency: Frequency?
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return nil }
            switch pair[0].uppercased() {
            case "FREQ":
                frequency = Frequency(rawValue: pair[1].uppercased())
            case "INTERVAL":
                guard let interval = Int(pair[1]), interval > 0 else { return nil }
                self.interval = interval
            case "COUNT":
                guard let count = Int(pair[1]), count > 0 else { return nil }
                self.count = count
            case "UNTIL":
                guard let until = ICalendar.date(pair[1], ["TZID": timeZone.identifier]) else { return nil }
                // A date without a time includes that whole day.
                self.until = pair[1].count == 8 ? until.addingTimeInterval(86_399) : until
            case "BYDAY":
                let days = pair[1].uppercased().split(separator: ",").map { Self.weekdayCodes[String($0)] }
                guard !days.contains(nil) else { return nil }
                weekdays = Set(days.compactMap { $0 })
            case "WKST":
                continue
            default:
                return nil
            }
        }
        guard let frequency, weekdays.isEmpty || frequency == .weekly else { return nil }
        self.frequency = frequency
    }

    /// The starts of the occurrences from `first` (always the first one) up to `end`; an endless rule that began
    /// long ago is walked from its start, at most `RecurrenceRule.maximumSteps` steps.
    func starts(from first: Date, in timeZone: TimeZone, through end: Date) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2  // WKST=MO, the default
        let last = min(end, until ?? end)
        let maximum = count ?? .max
        var starts: [Date] = []
        if weekdays.isEmpty {
            for step in 0..<Self.maximumSteps {
                guard starts.count < maximum, let next = calendar.date(byAdding: frequency.component, value: step * interval, to: first), next <= last else {
                    break
                }
                starts.append(next)
            }
            return starts
        }
        // Weekly with BYDAY: the days of every `interval`-th week, counted from the first one's week.
        guard let firstWeek = calendar.dateInterval(of: .weekOfYear, for: first)?.start else { return [first] }
        for day in 0..<Self.maximumSteps {
            guard starts.count < maximum, let next = calendar.date(byAdding: .day, value: day, to: first), next <= last else { break }
            guard let week = calendar.dateInterval(of: .weekOfYear, for: next)?.start,
                let weeks = calendar.dateComponents([.weekOfYear], from: firstWeek, to: week).weekOfYear
            else { continue }
            if day == 0 || (weeks % interval == 0 && weekdays.contains(calendar.component(.weekday, from: next))) {
                starts.append(next)
            }
        }
        return starts
    }

    static let maximumSteps = 20_000
}
