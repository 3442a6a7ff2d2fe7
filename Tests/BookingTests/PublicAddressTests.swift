import Testing

@testable import Booking

@Suite struct PublicAddressTests {
    /// Every spelling the C library connects to as an inside address is read as that address, and refused.
    @Test(arguments: [
        "127.0.0.1", "127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "0", "10.1.2.3", "172.20.0.1", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "255.255.255.255",
        "::1", "[::1]", "::", "::ffff:127.0.0.1", "[::ffff:127.0.0.1]", "::ffff:8.8.8.8", "::127.0.0.1", "fc00::1", "fd12:3456::1",
        "fe80::1", "ff02::1", "64:ff9b::7f00:1", "2002:7f00:1::", "2001:db8::1",
    ])
    func insideAddressesAreNotPublic(host: String) throws {
        let bytes = try #require(PublicAddress.literal(host), "\(host) is a literal")
        #expect(!PublicAddress.isPublic(bytes))
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::"])
    func publicAddressesArePublic(host: String) throws {
        let bytes = try #require(PublicAddress.literal(host))
        #expect(PublicAddress.isPublic(bytes))
    }

    @Test func namesAreNotLiterals() {
        #expect(PublicAddress.literal("calendar.google.com") == nil)
        #expect(PublicAddress.literal("localhost") == nil)
    }
}
