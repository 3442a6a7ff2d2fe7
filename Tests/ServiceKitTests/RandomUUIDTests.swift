import Contracts
import Foundation
import Testing

@Suite struct RandomUUIDTests {
    @Test func idsAreVersion4WithRFC9562sVariantAndDoNotRepeat() {
        let ids = (0..<10_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(200) {
            #expect(id.uuidString.wholeMatch(of: /[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}/) != nil, "\(id)")
        }
        // Every other bit varies: 122 random bits, not a counter.
        let bits = ids.map { withUnsafeBytes(of: $0.uuid) { Array($0) } }
        for byte in 0..<16 {
            let fixed: UInt8 = byte == 6 ? 0xF0 : byte == 8 ? 0xC0 : 0
            let varying = bits.reduce(UInt8(0)) { $0 | ($1[byte] ^ bits[0][byte]) }
            #expect(varying == ~fixed, "byte \(byte)")
        }
    }
}
