import Contracts
import Foundation
import Testing

/// `date-time` in the documents is RFC 3339: every form it allows is read, and nothing else.
@Suite struct DateTimeTests {
    static let readable: [(String, Double)] = [
        ("2026-11-23T10:00:00Z", 1_795_428_000),
        ("2026-11-23t10:00:00z", 1_795_428_000),
        ("2026-11-23T10:00:00.123Z", 1_795_428_000.123),
        ("2026-11-23T10:00:00.5+05:30", 1_795_428_000.5 - 19_800),
        ("2026-11-23T10:00:00-23:59", 1_795_428_000 + 86_340),
        ("2016-12-31T23:59:60Z", 1_483_228_800),
        ("3351-03-16T01:50:10+18:18", 43_586_560_210 - 65_880),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("1969-12-31T23:59:59.999999999999Z", -0.000_000_001),
        ("0000-03-01T00:00:00Z", -62_162_035_200),
    ]

    @Test(arguments: readable)
    func rfc3339DateTimesAreRead(text: String, seconds: Double) throws {
        let date = try #require(ISO8601Format.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005, "\(text)")
    }

    @Test(arguments: [
        "2026-11-23", "2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z", "2026-11-23T10:00:61Z", "2026-11-23T10:00:00+24:00", "2026-11-23T10:00:00.Z", "+2026-11-23T10:00:00Z",
        "٢٠٢٦-11-23T10:00:00Z", "2026-02-29T10:00:00Z", "2100-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z",
        "2026-00-01T10:00:00Z", "2026-11-00T10:00:00Z", "2026-11-23T10:00:00Z ", "2026-11-23T10:00:00+05", "2026-11-23T10:00:00+0530",
        "2026-11-23T10:00Z", "",
    ])
    func anythingElseIsNot(text: String) {
        #expect(ISO8601Format.parse(text) == nil)
    }

    /// What the encoder writes reads back as the same instant, whatever the milliseconds, and so does the same instant
    /// after PostgreSQL's microseconds (a `Date` counted from 2000-01-01, as PostgresNIO decodes it).
    @Test func writtenDatesReadBackUnchanged() throws {
        let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)
        for millisecond in 0..<1000 {
            let text = "2026-12-15T12:05:38.\(String(format: "%03d", millisecond))Z"
            let date = try #require(ISO8601Format.parse(text))
            #expect(ISO8601Format.string(date) == text)
            let microseconds = Int64(date.timeIntervalSince(postgresEpoch) * 1_000_000)
            #expect(ISO8601Format.string(Date(timeInterval: Double(microseconds) / 1_000_000, since: postgresEpoch)) == text)
        }
    }

    @Test func datesAreWrittenInUTCToTheNearestMillisecond() {
        #expect(ISO8601Format.string(Date(timeIntervalSince1970: 1_795_428_000.1234)) == "2026-11-23T10:00:00.123Z")
        #expect(ISO8601Format.string(Date(timeIntervalSince1970: 1_795_428_000.9996)) == "2026-11-23T10:00:01.000Z")
        #expect(ISO8601Format.string(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(ISO8601Format.string(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(ISO8601Format.string(Date(timeIntervalSince1970: 43_586_560_210)) == "3351-03-16T01:50:10.000Z")
        for seconds in stride(from: -2_000_000_000.0, to: 4_000_000_000, by: 7_654_321.5) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ISO8601Format.string(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
    }
}
