import Foundation

/// JSON written in order into bytes, as `JSONEncoder.mayaGo` writes it (the writer gives each object's keys sorted):
/// for the bodies of the hottest paths, where `Codable`'s encoder cost more than the work (Search's results,
/// Messaging's frames). Each use has a test that holds it to the encoder's bytes.
public struct JSONOutput {
    public private(set) var bytes: [UInt8] = []
    /// For each open object or array, whether its next key or element is its first (no comma before it).
    private var first: [Bool] = []

    /// - Parameter capacity: the bytes the output is expected to hold, allocated at once.
    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func open(_ bracket: Unicode.Scalar) {
        bytes.append(UInt8(ascii: bracket))
        first.append(true)
    }

    public mutating func close(_ bracket: Unicode.Scalar) {
        first.removeLast()
        bytes.append(UInt8(ascii: bracket))
    }

    /// Before each element of the innermost open array.
    public mutating func element() {
        if first[first.count - 1] { first[first.count - 1] = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    /// A key of the innermost open object.
    public mutating func key(_ name: String) {
        element()
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Escaped as Foundation escapes: the quote, the backslash and control characters; the rest as UTF-8, copied a
    /// run at a time between the bytes to escape.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var run = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes += utf8[run..<index]
                switch byte {
                case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
                case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
                case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0..<0x20: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]]
                default: bytes += [UInt8(ascii: "\\"), byte]
                }
                run = index + 1
            }
            bytes += utf8[run...]
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Whole numbers of the two widths bodies use, rather than any `BinaryInteger`: a generic here would be called
    /// across modules unspecialized.
    public mutating func number(_ value: Int64) {
        bytes += String(value).utf8
    }

    public mutating func number(_ value: Int) {
        bytes += String(value).utf8
    }

    /// A whole number without its `.0`, as Foundation writes it; `null` for what JSON has no number for (NaN, an
    /// infinity), where the encoder would have failed the whole answer.
    public mutating func number(_ value: Double) {
        if !value.isFinite {
            bytes += "null".utf8
        } else if value.rounded() == value, abs(value) < 1e15 {
            number(Int64(value))
        } else {
            bytes += value.description.utf8
        }
    }

    public mutating func bool(_ value: Bool) {
        bytes += (value ? "true" : "false").utf8
    }

    /// A key of the innermost open object and its string, left out when there is none, as the encoder leaves out a nil.
    public mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    /// An id, as `UUID` encodes itself (`uuidString`): its hex written here, where `uuidString` goes through
    /// `snprintf` (1 % of Booking's work for a booking).
    public mutating func string(_ id: UUID) {
        bytes.append(UInt8(ascii: "\""))
        id.writeHex(digits: "0123456789ABCDEF") { bytes.append($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A key of the innermost open object and its id, left out when there is none.
    public mutating func field(_ name: String, _ id: UUID?) {
        guard let id else { return }
        key(name)
        string(id)
    }

    /// A key of the innermost open object and an amount of money, as `Money` encodes itself.
    public mutating func field(_ name: String, _ money: Money) {
        key(name)
        open("{")
        key("amount")
        number(money.amount)
        field("currency", money.currency)
        close("}")
    }
}
