import Foundation

/// ISO 8601 date-times as the API writes and reads them.
public enum ISO8601Format {
    /// `date` as every body, notification and message writes it, `2026-11-23T10:00:00.123Z`: to the nearest millisecond. (Foundation's style
    /// truncates, so the same instant read back from PostgreSQL's microseconds could come out a millisecond early.)
    public static func string(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = Int((milliseconds >= 0 ? milliseconds : milliseconds - 86_399_999) / 86_400_000)
        let time = Int(milliseconds - Int64(days) * 86_400_000)
        let (year, month, day) = CivilDays.date(days)
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T\(digits(time / 3_600_000, 2)):\(digits(time / 60_000 % 60, 2)):"
            + "\(digits(time / 1000 % 60, 2)).\(digits(time % 1000, 3))Z"
    }

    private static func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return text.count < count ? String(repeating: "0", count: count - text.count) + text : text
    }

    /// Parses an RFC 3339 date-time, which is what the documents' `date-time` format means: `2026-11-23T10:00:00Z`,
    /// `2026-11-23t10:00:00.5+05:30`, any number of fraction digits, offsets up to ±23:59 and a leap second (read as
    /// the second after :59, as POSIX time has none). Read byte by byte: every date in every body comes through here,
    /// and a `Regex` literal is compiled again on each call.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = DateTimeReader(bytes: bytes)
            return reader.read()
        }
    }
}

/// The scanner of ``ISO8601Format/parse(_:)``: fields in their order, ASCII digits only, each range checked.
private struct DateTimeReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    mutating func read() -> Date? {
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2), skip("T") || skip("t"),
            let hour = number(2), skip(":"), let minute = number(2), skip(":"), let second = number(2),
            (1...12).contains(month), (1...Self.days(in: month, of: year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var fraction = 0.0
        if skip(".") {
            // Nanoseconds are more than a `Date` holds; further digits are checked and dropped.
            var nanoseconds = 0
            var digits = 0
            while at < bytes.count, let digit = digit(bytes[at]) {
                if digits < 9 { nanoseconds = nanoseconds * 10 + digit }
                digits += 1
                at += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanoseconds *= 10 }
            fraction = Double(nanoseconds) / 1e9
        }
        let offset: Int
        if skip("Z") || skip("z") {
            offset = 0
        } else if let sign = skip("+") ? 1 : skip("-") ? -1 : nil {
            guard let hours = number(2), skip(":"), let minutes = number(2), (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard at == bytes.count else { return nil }
        // A leap second (:60) is the first second of the next minute.
        let seconds = CivilDays.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Whole seconds from the reference date first, then the fraction: one rounding, so that a date read back
        // from what the encoder wrote is the same to the millisecond (the encoder truncates).
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + fraction)
    }

    private mutating func number(_ digits: Int) -> Int? {
        guard at + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[at..<at + digits] {
            guard let digit = digit(byte) else { return nil }
            value = value * 10 + digit
        }
        at += digits
        return value
    }

    private mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard at < bytes.count, bytes[at] == UInt8(ascii: character) else { return false }
        at += 1
        return true
    }

    private func digit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte &- UInt8(ascii: "0")) : nil
    }

    private static func days(in month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Days from 1970-01-01 and back, in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil` and
/// `civil_from_days`): plain arithmetic, no `Calendar`.
private enum CivilDays {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
    }
}
