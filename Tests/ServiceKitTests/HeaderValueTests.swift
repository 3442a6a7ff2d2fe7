import Foundation
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
        #expect("bEaReR\tx ".bearerCredential == nil)
        #expect("bEaReR  x ".bearerCredential == "x")
        #expect("Basic x".bearerCredential == nil)
    }

    @Test func optionalWhitespaceIsTrimmed() {
        #expect(" \tgzip ;".trimmingOptionalWhitespace == "gzip ;")
        #expect(" \t ".trimmingOptionalWhitespace.isEmpty)
        #expect("\t café é ".trimmingOptionalWhitespace == "café é")
        #expect("ñ".trimmingOptionalWhitespace == "ñ")
    }
}

@Suite struct ClientAddressSealTests {
    let seal = ClientAddressSeal(secret: String(repeating: "s", count: 40))

    @Test func aSealOpensForItsRequestOnly() {
        let sealed = seal.seal("203.0.113.7", requestID: "r1")
        #expect(seal.open(sealed, requestID: "r1") == "203.0.113.7")
        #expect(seal.open(sealed, requestID: "r2") == nil)
        #expect(ClientAddressSeal(secret: String(repeating: "t", count: 40)).open(sealed, requestID: "r1") == nil)
        #expect(seal.open(sealed.replacingOccurrences(of: "203.0.113.7", with: "203.0.113.8"), requestID: "r1") == nil)
        #expect(seal.open("203.0.113.7", requestID: "r1") == nil)
        #expect(seal.open("203.0.113.7; mac=", requestID: "r1") == nil)
    }

    /// The MAC is keyed once and copied for each seal: one seal leaves nothing behind for the next.
    @Test func aSealIsTheSameEveryTime() {
        let first = seal.seal("203.0.113.7", requestID: "r1")
        #expect(seal.seal("198.51.100.1", requestID: "r2") != first)
        #expect(seal.seal("203.0.113.7", requestID: "r1") == first)
        #expect(ClientAddressSeal(secret: String(repeating: "s", count: 40)).seal("203.0.113.7", requestID: "r1") == first)
    }
}
