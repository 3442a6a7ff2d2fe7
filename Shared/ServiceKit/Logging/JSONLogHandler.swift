import Foundation
import Logging

/// Writes one JSON object per line to standard output: `timestamp`, `level`, `service`, `message`, then the
/// metadata (the request id among it) by key, so that log shippers need no parsing rules. Lines are built as
/// bytes and handed to ``LogOutput``.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let service: String
    private let output: LogOutput

    public init(service: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil, output: LogOutput = .standardOutput) {
        self.service = service
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // The event's own metadata wins over the provider's, which wins over the logger's.
        var fields = event.metadata ?? [:]
        if let provided = metadataProvider?.get(), !provided.isEmpty { fields.merge(provided) { kept, _ in kept } }
        if !metadata.isEmpty { fields.merge(metadata) { kept, _ in kept } }
        if let error = event.error { fields["error"] = .string(String(describing: error)) }
        write(event.level, event.message.description, members: fields.sorted { $0.key < $1.key })
    }

    /// Whether this handler adds metadata of its own to every line, which only `log(event:)` merges.
    var addsMetadata: Bool {
        !metadata.isEmpty || metadataProvider != nil
    }

    /// Writes a line whose metadata is `members`, given in key order (the caller checked the level). ``AccessLog``
    /// gives its fields so: the dictionary that `log(event:)` builds, merges and sorts was most of the line's cost,
    /// and the gateway writes one for every request.
    func write(_ level: Logger.Level, _ message: String, members: some Collection<(key: String, value: Logger.MetadataValue)>) {
        var line: [UInt8] = []
        line.reserveCapacity(384)
        line.append(contentsOf: #"{"timestamp":""#.utf8)
        Self.appendTimestamp(Date.now, to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: #"","service":"#.utf8)
        Self.appendString(service, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        Self.appendString(message, to: &line)
        if !members.isEmpty {
            line.append(UInt8(ascii: ","))
            Self.appendMembers(members, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        output.write(line, level: level)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `2026-11-23T10:00:00.123Z`, formatted by hand: Foundation's formatters cost more than the rest of the line.
    static func timestamp(_ date: Date) -> String {
        var bytes: [UInt8] = []
        appendTimestamp(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendTimestamp(_ date: Date, to line: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        line.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        line.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        line.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        line.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        line.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        line.append(UInt8(ascii: "."))
        digits(Int32((interval - interval.rounded(.down)) * 1000), 3)
        line.append(UInt8(ascii: "Z"))
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        switch value {
        case .string(let string): appendString(string, to: &line)
        case .stringConvertible(let value): appendString(value.description, to: &line)
        case .array(let values):
            line.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                append(value, to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            line.append(UInt8(ascii: "{"))
            appendMembers(dictionary.sorted { $0.key < $1.key }, to: &line)
            line.append(UInt8(ascii: "}"))
        }
    }

    /// `"key":value` pairs, in the order given, separated by commas.
    private static func appendMembers(_ members: some Sequence<(key: String, value: Logger.MetadataValue)>, to line: inout [UInt8]) {
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            append(value, to: &line)
        }
    }

    /// Appends `string` as a JSON string literal, escaping what RFC 8259 requires (UTF-8 passes as it is).
    static func appendString(_ string: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        // Most strings need no escape: copied in one go.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            line.append(contentsOf: string.utf8)
            line.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hexDigits[Int(byte >> 4)])
                line.append(hexDigits[Int(byte & 0xF)])
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }
}
