import Contracts
import Foundation
import Synchronization

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

    /// A version 4 UUID in lower case, made without a system call or a lock: a counter mixed with a key drawn
    /// once per process (SplitMix64's finaliser, a bijection, for each half). glibc's `arc4random` asks the
    /// kernel on every call here, which showed in the gateway's profiles. The ids look random and do not repeat,
    /// but are not secrets (nor need be: a client may choose its own).
    public static func make() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let high = mix(count &+ key.high) & ~0xF000 | 0x4000  // version 4
        let low = mix(count ^ key.low) & ~(0xC << 60) | (0x8 << 60)  // RFC 9562 variant
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            for nibble in 0..<32 {
                if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    text[index] = UInt8(ascii: "-")
                    index += 1
                }
                let half = nibble < 16 ? high : low
                text[index] = digits.utf8Start[Int(half >> UInt64(60 - 4 * (nibble % 16)) & 0xF)]
                index += 1
            }
            return index
        }
    }

    private static let key: (high: UInt64, low: UInt64) = {
        var key = (high: UInt64(0), low: UInt64(0))
        withUnsafeMutableBytes(of: &key) { arc4random_buf($0.baseAddress!, $0.count) }
        return key
    }()

    private static let counter = Atomic<UInt64>(0)

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
