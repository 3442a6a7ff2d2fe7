import ServiceKit
import Testing

@Suite struct HeaderValueTests {
    @Test(arguments: [
        ("Bearer abc", true), ("bearer abc", true), ("BEARER abc", true), ("bEaReR x", true), ("Bearerabc", false),
        ("Bear", false), ("", false), ("Basic abc", false), ("Bearer\tabc", false),
    ])
    func schemesAreReadInAnyCase(header: String, isBearer: Bool) {
        #expect(header.hasPrefixIgnoringCase("bearer ") == isBearer)
    }

    @Test func bearerTokensAreTakenFromTheirHeaderInAnyCase() {
        #expect(TokenAuthenticator.token(authorization: "BEARER  a.b.c ", path: "/", token: nil) == "a.b.c")
        #expect(TokenAuthenticator.token(authorization: "ApiKey k", path: "/", token: "q") == nil)
    }

    @Test func optionalWhitespaceIsTrimmed() {
        #expect(" \tgzip ;".trimmingOptionalWhitespace == "gzip ;")
        #expect(" \t ".trimmingOptionalWhitespace.isEmpty)
    }
}
