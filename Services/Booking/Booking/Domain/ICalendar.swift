import Foundation

/// Just enough of iCalendar (RFC 5545) for calendar sync: writing a feed of events, and reading the busy times of
/// another calendar's `VEVENT`s (UTC, `TZID` and all-day times, repeated by the common `RRULE`s less `EXDATE`s).
enum ICalendar {
    struct Event: Sendable, Equatable {
        var uid: String
        var start: Date
        var end: Date
        var summary: String
        var description: String?
        var location: String?
        /// `CONFIRMED` or `TENTATIVE`.
        var status: String
    }

    /// A `VCALENDAR` of `events`, CRLF line ends, lines folded at 75 octets.
    static func feed(name: String, events: [Event], at now: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//MayaGo//Booking//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:\(escape(name))"]
        for event in events {
            lines += [
                "BEGIN:VEVENT", "UID:\(event.uid)", "DTSTAMP:\(utc(now))", "DTSTART:\(utc(event.start))", "DTEND:\(utc(event.end))",
                "SUMMARY:\(escape(event.summary))", "STATUS:\(event.status)",
            ]
            if let description = event.description { lines.append("DESCRIPTION:\(escape(description))") }
            if let location = event.location { lines.append("LOCATION:\(escape(location))") }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The busy intervals of `text`'s events that end after `start`, skipping cancelled and transparent (free)
    /// ones; a repeating event's occurrences up to `end`. An `RRULE` beyond ``RecurrenceRule``'s common part counts
    /// its first occurrence only, and a moved occurrence (`RECURRENCE-ID`) blocks both its old and its new time.
    /// A feed is read up to `limits`: a calendar of a person's days has far fewer, and a hostile one costs no more.
    struct Limits: Sendable {
        /// Events read from one feed.
        var events = 5_000
        /// Busy times kept from one feed, repeating events expanded.
        var busyTimes = 5_000
    }

    static func busyTimes(in text: String, from start: Date, through end: Date, limits: Limits = .init()) -> [(start: Date, end: Date)] {
        var busy: [(start: Date, end: Date)] = []
        var events = 0
        var properties: [(name: String, parameters: [String: String], value: String)]?
        for line in unfold(text) {
            if line == "BEGIN:VEVENT" {
                properties = []
                continue
            }
            if line == "END:VEVENT", let event = properties {
                properties = nil
                busy += occurrences(of: event, through: end).filter { $0.end > start }.prefix(limits.busyTimes - busy.count)
                events += 1
                if events == limits.events || busy.count == limits.busyTimes { break }
                continue
            }
            guard properties != nil, let colon = line.firstIndex(of: ":") else { continue }
            let head = line[..<colon].split(separator: ";")
            guard let name = head.first?.uppercased() else { continue }
            var parameters: [String: String] = [:]
            for parameter in head.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { parameters[pair[0].uppercased()] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            properties?.append((name, parameters, String(line[line.index(after: colon)...])))
        }
        return busy
    }

    private static func occurrences(of event: [(name: String, parameters: [String: String], value: String)], through end: Date) -> [(start: Date, end: Date)] {
        let status = event.first { $0.name == "STATUS" }?.value.uppercased()
        let transparent = event.first { $0.name == "TRANSP" }?.value.uppercased() == "TRANSPARENT"
        guard status != "CANCELLED", !transparent, let dtstart = event.first(where: { $0.name == "DTSTART" }),
            let first = date(dtstart.value, dtstart.parameters)
        else { return [] }
        let length =
            event.first(where: { $0.name == "DTEND" }).flatMap { date($0.value, $0.parameters) }.map { $0.timeIntervalSince(first) }
            ?? (dtstart.value.count == 8 ? 86_400 : 0)
        guard length > 0 else { return [] }
        let timeZone = timeZone(of: dtstart.value, dtstart.parameters)
        var starts = [first]
        if let text = event.first(where: { $0.name == "RRULE" })?.value, let rule = RecurrenceRule(text, timeZone: timeZone) {
            starts = rule.starts(from: first, in: timeZone, through: end)
        }
        let excluded = Set(
            event.filter { $0.name == "EXDATE" }.flatMap { exdate in
                exdate.value.split(separator: ",").compactMap { date(String($0), exdate.parameters) }
            })
        return starts.filter { !excluded.contains($0) }.map { ($0, $0.addingTimeInterval(length)) }
    }

    /// `20261201T090000Z` (UTC), `20261201T090000` with `TZID` (or floating, read as UTC), or `20261201` (a day).
    static func date(_ value: String, _ parameters: [String: String]) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone(of: value, parameters)
        let digits = value.filter(\.isNumber)
        func number(_ offset: Int, _ length: Int) -> Int? {
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return Int(digits[start..<digits.index(start, offsetBy: length)])
        }
        guard digits.count >= 8, let year = number(0, 4), let month = number(4, 2), let day = number(6, 2) else { return nil }
        var components = DateComponents(year: year, month: month, day: day)
        if digits.count >= 14, let hour = number(8, 2), let minute = number(10, 2), let second = number(12, 2) {
            components.hour = hour
            components.minute = minute
            components.second = second
        }
        return calendar.date(from: components)
    }

    /// The zone of a date or date-time: UTC when it ends in `Z`, else its `TZID`, else (floating) UTC.
    static func timeZone(of value: String, _ parameters: [String: String]) -> TimeZone {
        let utc = TimeZone(identifier: "UTC")!
        return value.hasSuffix("Z") ? utc : parameters["TZID"].flatMap(TimeZone.init(identifier:)) ?? utc
    }

    private static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Splits a content line into pieces of at most 75 octets, never inside a character.
    private static func fold(_ line: String) -> String {
        var pieces: [String] = []
        var current = ""
        var size = 0
        for character in line {
            let length = character.utf8.count
            if size + length > (pieces.isEmpty ? 75 : 74) {
                pieces.append(current)
                current = ""
                size = 0
            }
            current.append(character)
            size += length
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }

    private static func unfold(_ text: String) -> [String] {
        var lines: [String] = []
        for raw in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = raw.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += raw.dropFirst()
            } else {
                lines.append(String(raw))
            }
        }
        return lines
    }
}
