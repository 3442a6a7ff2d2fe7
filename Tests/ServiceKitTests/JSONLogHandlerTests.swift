import Foundation
import Testing

@testable import ServiceKit

@Suite struct JSONLogHandlerTests {
    @Test(arguments: [0, 1_763_890_000.123, 1_700_000_000.5, 951_782_400.999])
    func timestampsAreISO8601UTCWithMilliseconds(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(JSONLogHandler.timestamp(date) == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    @Test func stringsAreEscapedForJSON() throws {
        var line: [UInt8] = []
        JSONLogHandler.appendString("quote \" backslash \\ newline \n tab \t bell \u{7} café ✓", to: &line)
        let decoded = try JSONDecoder().decode(String.self, from: Data(line))
        #expect(decoded == "quote \" backslash \\ newline \n tab \t bell \u{7} café ✓")
    }
}
