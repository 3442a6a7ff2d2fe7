import Foundation

extension JSONEncoder {
    /// The encoder of every MayaGo body: ISO 8601 UTC dates with milliseconds, keys sorted so that equal values
    /// encode to equal bytes (idempotency keys compare bodies).
    public static var mayaGo: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(ISO8601Format.withFractionalSeconds))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    /// The decoder of every MayaGo body: ISO 8601 dates with or without fractional seconds.
    public static var mayaGo: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601Format.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be an ISO 8601 date and time")
            }
            return date
        }
        return decoder
    }
}

/// ISO 8601 date-times as the API writes and reads them.
public enum ISO8601Format {
    public static let withFractionalSeconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Parses an RFC 3339 date-time, which is what the documents' `date-time` format means: `2026-11-23T10:00:00Z`,
    /// `2026-11-23t10:00:00.5+05:30`, any number of fraction digits, offsets up to ±23:59 and a leap second (read as
    /// the second after :59, as POSIX time has none).
    public static func parse(_ text: String) -> Date? {
        // A literal per call: a `Regex` shared between threads is not safe to match with (it is not `Sendable`).
        guard
            let match = text.wholeMatch(
                of:
                    /(?<year>[0-9]{4})-(?<month>[0-9]{2})-(?<day>[0-9]{2})[Tt](?<hour>[0-9]{2}):(?<minute>[0-9]{2}):(?<second>[0-9]{2})(?<fraction>\.[0-9]+)?(?:[Zz]|(?<sign>[+-])(?<offsetHours>[0-9]{2}):(?<offsetMinutes>[0-9]{2}))/
            ),
            let month = Int(match.month), let day = Int(match.day), let hour = Int(match.hour), let minute = Int(match.minute),
            let second = Int(match.second), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var offset = 0
        if let sign = match.sign, let hours = match.offsetHours.flatMap({ Int($0) }), let minutes = match.offsetMinutes.flatMap({ Int($0) }) {
            guard (0...23).contains(hours), (0...59).contains(minutes) else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        let components = DateComponents(year: Int(match.year), month: month, day: day, hour: hour, minute: minute, second: min(second, 59))
        guard components.isValidDate(in: utcCalendar), let start = utcCalendar.date(from: components) else { return nil }
        let fraction = match.fraction.flatMap { Double("0" + $0) } ?? 0
        return start.addingTimeInterval(Double(second == 60 ? 1 : 0) + fraction - Double(offset))
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()
}
