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

    public static func make() -> String {
        UUID().uuidString.lowercased()
    }
}
