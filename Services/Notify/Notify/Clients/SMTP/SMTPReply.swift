/// A server's answer to one command (RFC 5321 §4.2): a three-digit code and its text, one line or several.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    /// 5xx: the server's final no (an unknown mailbox, a refused login); 4xx may pass later.
    var isPermanent: Bool { (500..<600).contains(code) }

    /// The extensions an `EHLO` reply lists, by keyword in capitals, with their parameters: `AUTH` → `["PLAIN", "LOGIN"]`.
    var extensions: [String: [String]] {
        var found: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ")
            guard let keyword = words.first else { continue }
            found[keyword.uppercased()] = words.dropFirst().map { $0.uppercased() }
        }
        return found
    }

    var description: String { "SMTP \(code) \(lines.joined(separator: " / "))" }
}

extension SMTPReply {
    /// One line of a reply: its code, whether more lines follow (`250-…`) and its text; nil if it is not a reply line.
    static func line(_ bytes: some Collection<UInt8>) -> (code: Int, more: Bool, text: String)? {
        let digits = bytes.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        let rest = bytes.dropFirst(3)
        guard let separator = rest.first else { return (code, false, "") }
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return nil }
        return (code, separator == UInt8(ascii: "-"), String(decoding: rest.dropFirst(), as: UTF8.self))
    }
}
