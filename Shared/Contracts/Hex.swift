extension Sequence<UInt8> {
    /// Lowercase hexadecimal, two digits a byte: how digests are written in keys, rows and file names.
    /// (`String(format: "%02x")` per byte costs a format parse each; this is a table lookup.)
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
