import Contracts
import Foundation

/// Request ids: an incoming one is kept when it is short and plain (so it cannot forge log lines or headers),
/// otherwise a new UUID is made.
public enum RequestID {
    public static func isValid(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: ":"):
                    true
                default: false
                }
            }
    }

    /// A random (version 4) UUID in lower case, from the system's generator in one call, without Foundation's
    /// UUID: both showed in profiles of the gateway.
    public static func make() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { buffer in
            // glibc's ChaCha20 generator, seeded from the kernel: no system call per id, as there is for each
            // value of SystemRandomNumberGenerator.
            arc4random_buf(buffer.baseAddress!, buffer.count)
        }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, digit) in bytes.hexString.utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
