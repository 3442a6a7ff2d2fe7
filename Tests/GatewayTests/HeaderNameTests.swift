import NIOHTTP1
import Testing

@testable import Gateway

@Suite struct HeaderNameTests {
    @Test func namesMatchInAnyCase() {
        #expect(HeaderName("Content-Type") == "content-type")
        #expect(HeaderName("X-USER-ID") == "x-user-id")
        #expect(HeaderName("Content-Type") != "content-typ")
        // Only letters fold: '@' and '`' differ by the same bit as 'A' and 'a'.
        #expect(HeaderName("a@") != "a`")
        #expect(Set<HeaderName>(["Vary", "Content-Length"]).contains("VARY"))
        #expect(!Set<HeaderName>(["Vary"]).contains("Varz"))
        #expect(Set<HeaderName>(["Access-Control-Allow-Origin"]).contains("access-control-allow-origin"))
        #expect(!Set<HeaderName>(["Access-Control-Allow-Origin"]).contains("access-control-allow-origim"))
    }

    @Test func theOptionsOfAConnectionHeaderAreReadInAnyCase() {
        let headers: HTTPHeaders = ["connection": "Keep-Alive, Close ,X-Secret", "Connection": " keep-alive", "X-Secret": "s"]
        #expect(EdgePolicy.connectionOptions(headers) == ["close", "x-secret"])
        #expect(EdgePolicy.connectionOptions(["Connection": "keep-alive"]).isEmpty)
    }
}
