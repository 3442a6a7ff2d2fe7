import Foundation

extension UUID {
    /// The id in lowercase, as MayaGo writes ids in paths, keys, claims and rows: `uuidString.lowercased()` without
    /// `uuidString`'s `snprintf` and a second string for the lowercasing (every request's caller, every lookup's path).
    public var lowercasedString: String {
        String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            writeHex(digits: "0123456789abcdef") { byte in
                text[at] = byte
                at += 1
            }
            return at
        }
    }

    /// The id's 36 characters, `8-4-4-4-12` hex with `digits` (all 16, in order), each handed to `write`: the one loop
    /// behind ``lowercasedString`` and `JSONOutput.string(_: UUID)`, which write the hex themselves.
    func writeHex(digits: StaticString, _ write: (UInt8) -> Void) {
        withUnsafeBytes(of: uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { write(UInt8(ascii: "-")) }
                write(digits.utf8Start[Int(byte >> 4)])
                write(digits.utf8Start[Int(byte & 0x0F)])
            }
        }
    }
}
