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
    ]

    @Test(arguments: readable)
    func rfc3339DateTimesAreRead(text: String, seconds: Double) throws {
        let date = try #require(ISO8601Format.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005, "\(text)")
    }

    @Test(arguments: [
        "2026-11-23", "2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T10:60:00Z", "2026-11-23T10:00:61Z", "2026-11-23T10:00:00+24:00", "2026-11-23T10:00:00.Z", "+2026-11-23T10:00:00Z",
        "٢٠٢٦-11-23T10:00:00Z",
    ])
    func anythingElseIsNot(text: String) {
        #expect(ISO8601Format.parse(text) == nil)
    }
}
