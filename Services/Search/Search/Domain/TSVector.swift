/// A `tsvector` as PostgreSQL writes it, `'cenot':1A,5C 'swim':2A`: each lexeme with its positions and the
/// strongest weight it has (A for a title, B for tags, C for a description, D unmarked).
enum TSVector {
    struct Entry: Equatable, Sendable {
        var lexeme: String
        var positions: [UInt16]
        /// 3 for A down to 0 for D.
        var weight: UInt8
    }

    static func parse(_ text: String) -> [Entry] {
        let bytes = Array(text.utf8)
        var entries: [Entry] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "'") else {
                i += 1
                continue
            }
            i += 1
            // Quoted: `''` is a quote, a backslash escapes the next byte.
            var lexeme: [UInt8] = []
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "'") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "'") {
                        lexeme.append(byte)
                        i += 2
                        continue
                    }
                    i += 1
                    break
                }
                if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    lexeme.append(bytes[i + 1])
                    i += 2
                    continue
                }
                lexeme.append(byte)
                i += 1
            }
            var entry = Entry(lexeme: String(decoding: lexeme, as: UTF8.self), positions: [], weight: 0)
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                i += 1
                while i < bytes.count {
                    var position = 0
                    while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
                        position = position * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                        i += 1
                    }
                    entry.positions.append(UInt16(clamping: position))
                    if i < bytes.count, (UInt8(ascii: "A")...UInt8(ascii: "D")).contains(bytes[i]) {
                        entry.weight = max(entry.weight, UInt8(ascii: "D") - bytes[i])
                        i += 1
                    }
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { break }
                    i += 1
                }
            }
            entries.append(entry)
        }
        return entries
    }
}
