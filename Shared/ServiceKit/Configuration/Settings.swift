import Configuration
import Foundation

/// Typed, validated reading of settings. Keys are dotted (`http.port`) and come from the environment variable of
/// the same name (`HTTP_PORT`); a value that does not parse is a ``ConfigurationError`` naming that variable,
/// never a silent fallback to the default.
public struct Settings: Sendable {
    public let reader: ConfigReader

    public init(reader: ConfigReader) {
        self.reader = reader
    }

    /// Settings from the process environment.
    public static func environment() -> Settings {
        Settings(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
    }

    /// Settings from the given variables, as if they were the environment (for tests and tools).
    public static func variables(_ variables: [String: String]) -> Settings {
        Settings(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: variables)))
    }

    /// The environment variable that holds `key`: `http.port` is `HTTP_PORT`.
    public static func variable(for key: String) -> String {
        key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }

    public func string(_ key: String, default defaultValue: String, isSecret: Bool = false) -> String {
        reader.string(forKey: ConfigKey(key), isSecret: isSecret) ?? defaultValue
    }

    public func optionalString(_ key: String, isSecret: Bool = false) -> String? {
        reader.string(forKey: ConfigKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

    public func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        try number(key, default: defaultValue, in: range, kind: "an integer")
    }

    public func double(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        try number(key, default: defaultValue, in: range, kind: "a number")
    }

    private func number<Value: LosslessStringConvertible & Comparable>(
        _ key: String,
        default defaultValue: Value,
        in range: ClosedRange<Value>,
        kind: String
    ) throws -> Value {
        guard let raw = optionalString(key) else { return defaultValue }
        guard let value = Value(raw), range.contains(value) else {
            throw ConfigurationError(
                variable: Self.variable(for: key),
                expected: "\(kind) from \(range.lowerBound) to \(range.upperBound)",
                value: raw
            )
        }
        return value
    }

    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = optionalString(key) else { return defaultValue }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: Self.variable(for: key), expected: "true or false", value: raw)
        }
    }

    /// A duration given in milliseconds, as `…_MS` variables are.
    public func milliseconds(_ key: String, default defaultValue: Duration, in range: ClosedRange<Int> = 1...86_400_000) throws -> Duration {
        guard optionalString(key) != nil else { return defaultValue }
        return .milliseconds(try int(key, default: 0, in: range))
    }

    public func url(_ key: String, default defaultValue: String, schemes: Set<String>, isSecret: Bool = false) throws -> URL {
        try Self.url(optionalString(key, isSecret: isSecret) ?? defaultValue, key: key, schemes: schemes, isSecret: isSecret)
    }

    /// A URL that may be left unset.
    public func optionalURL(_ key: String, schemes: Set<String>, isSecret: Bool = false) throws -> URL? {
        try optionalString(key, isSecret: isSecret).map { try Self.url($0, key: key, schemes: schemes, isSecret: isSecret) }
    }

    /// A comma-separated list of URLs (`http://a:8082,http://b:8082`); at least one.
    public func urls(_ key: String, default defaultValue: String, schemes: Set<String>) throws -> [URL] {
        let raw = optionalString(key) ?? defaultValue
        return try raw.split(separator: ",").map {
            try Self.url($0.trimmingCharacters(in: .whitespaces), key: key, schemes: schemes, isSecret: false)
        }
    }

    private static func url(_ raw: String, key: String, schemes: Set<String>, isSecret: Bool) throws -> URL {
        guard let url = URL(string: raw), let scheme = url.scheme, schemes.contains(scheme), url.host != nil else {
            throw ConfigurationError(
                variable: variable(for: key),
                expected: "a URL with scheme \(schemes.sorted().joined(separator: " or ")) and a host",
                value: isSecret ? nil : raw
            )
        }
        return url
    }

    public func choice<Value: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: Value) throws -> Value
    where Value.RawValue == String {
        guard let raw = optionalString(key) else { return defaultValue }
        guard let value = Value(rawValue: raw.lowercased()) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: Self.variable(for: key), expected: "one of \(allowed)", value: raw)
        }
        return value
    }

    /// A comma-separated list; empty when unset.
    public func list(_ key: String) -> [String] {
        (optionalString(key) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
