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

@Suite struct LowercasedUUIDTests {
    @Test func anIdReadsAsItsUUIDStringLowercased() throws {
        let fixed = try #require(UUID(uuidString: "0A1B2C3D-4E5F-4A6B-8C7D-8E9FA0B1C2D3"))
        #expect(fixed.lowercasedString == "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3")
        let ends = [UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!]
        for id in ends + (0..<1_000).map({ _ in UUID.random() }) {
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }

    @Test func aLookupsPathHasTheIdInItsPlace() {
        let id = UUID.random()
        #expect(UserContact.path(id) == "/internal/v1/users/\(id.uuidString.lowercased())")
        #expect(AccountExport.path(id) == "/internal/v1/accounts/\(id.uuidString.lowercased())/export")
    }
}
