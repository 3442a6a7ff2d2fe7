import Foundation
import ServiceKit
import Testing

@Suite struct RequestIDTests {
    @Test func madeIdsAreLowerCaseVersion4UUIDs() {
        let ids = (0..<1000).map { _ in RequestID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(50) {
            #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "\(id)")
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            #expect(RequestID.isValid(id))
        }
    }

    @Test func onlyShortPlainIdsAreKept() {
        #expect(RequestID.isValid("trace-1:abc_DEF.2"))
        #expect(!RequestID.isValid(""))
        #expect(!RequestID.isValid("has space"))
        #expect(!RequestID.isValid("line\nbreak"))
        #expect(!RequestID.isValid(String(repeating: "a", count: 129)))
    }
}
