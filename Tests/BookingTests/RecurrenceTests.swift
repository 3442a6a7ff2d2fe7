import Contracts
import Foundation
import Testing

@testable import Booking

/// Repeating busy times of an imported calendar (`RRULE`, `EXDATE`), without I/O.
@Suite struct RecurrenceTests {
    /// A calendar of one event of these properties, one per line.
    func calendar(_ event: String) -> String {
        let properties = event.replacingOccurrences(of: "\n", with: "\r\n")
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n\(properties)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    }

    func starts(_ text: String, from: String = "2026-01-01T00:00:00Z", through: String = "2027-12-31T00:00:00Z") -> [String] {
        ICalendar.busyTimes(in: text, from: ISO8601Format.parse(from)!, through: ISO8601Format.parse(through)!)
            .map { ISO8601Format.string($0.start) }
    }

    @Test func weeklyOnTwoDaysWithACount() {
        let text = calendar("DTSTART:20261130T150000Z\nDTEND:20261130T160000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4")
        #expect(starts(text) == ["2026-11-30T15:00:00.000Z", "2026-12-02T15:00:00.000Z", "2026-12-07T15:00:00.000Z", "2026-12-09T15:00:00.000Z"])
    }

    @Test func everyOtherWeekUntilADate() {
        let text = calendar("DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nRRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T235959Z")
        #expect(starts(text) == ["2026-12-01T10:00:00.000Z", "2026-12-15T10:00:00.000Z", "2026-12-29T10:00:00.000Z"])
    }

    @Test func localTimeHoldsAcrossDaylightSaving() {
        // 09:00 in New York is 13:00 UTC in summer time and 14:00 UTC after 1 November 2026.
        let text = calendar("DTSTART;TZID=America/New_York:20261029T090000\nDTEND;TZID=America/New_York:20261029T100000\nRRULE:FREQ=DAILY;COUNT=5")
        #expect(
            starts(text) == [
                "2026-10-29T13:00:00.000Z", "2026-10-30T13:00:00.000Z", "2026-10-31T13:00:00.000Z",
                "2026-11-01T14:00:00.000Z", "2026-11-02T14:00:00.000Z",
            ])
        let lengths = ICalendar.busyTimes(in: text, from: .distantPast, through: .distantFuture).map { $0.end.timeIntervalSince($0.start) }
        #expect(lengths == Array(repeating: 3600, count: 5))
    }

    @Test func excludedDatesAreFree() {
        let text = calendar("DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20261202T100000Z,20261203T100000Z")
        #expect(starts(text) == ["2026-12-01T10:00:00.000Z", "2026-12-04T10:00:00.000Z"])
    }

    @Test func anEndlessRuleStopsAtTheHorizonAndItsPastIsLeftOut() {
        let text = calendar("DTSTART:20200106T080000Z\nDTEND:20200106T090000Z\nRRULE:FREQ=MONTHLY")
        #expect(
            starts(text, from: "2026-11-23T00:00:00Z", through: "2027-03-01T00:00:00Z") == [
                "2026-12-06T08:00:00.000Z", "2027-01-06T08:00:00.000Z", "2027-02-06T08:00:00.000Z",
            ])
    }

    @Test func aRuleBeyondTheCommonPartCountsItsFirstOccurrenceOnly() {
        #expect(RecurrenceRule("FREQ=MONTHLY;BYDAY=-1FR", timeZone: .gmt) == nil)
        #expect(RecurrenceRule("FREQ=YEARLY;BYMONTH=3;BYSETPOS=1", timeZone: .gmt) == nil)
        let text = calendar("DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nRRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU")
        #expect(starts(text) == ["2026-12-01T10:00:00.000Z"])
    }

    @Test func rulesAreRead() {
        let rule = RecurrenceRule("FREQ=WEEKLY;INTERVAL=3;BYDAY=SU,SA;WKST=MO;UNTIL=20270101", timeZone: .gmt)
        #expect(rule?.frequency == .weekly)
        #expect(rule?.interval == 3)
        #expect(rule?.weekdays == [1, 7])
        #expect(rule?.until == ISO8601Format.parse("2027-01-01T23:59:59Z"))
        #expect(RecurrenceRule("INTERVAL=2", timeZone: .gmt) == nil)
        #expect(RecurrenceRule("FREQ=HOURLY", timeZone: .gmt) == nil)
        #expect(RecurrenceRule("FREQ=DAILY;COUNT=0", timeZone: .gmt) == nil)
    }
}
