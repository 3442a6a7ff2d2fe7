/// A setting that is missing or malformed. The message names the environment variable, so that an operator
/// knows what to fix without reading code.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The environment variable, for example `HTTP_PORT`.
    public let variable: String
    /// What the variable should hold.
    public let expected: String
    /// The value found, unless it is a secret.
    public let value: String?

    public init(variable: String, expected: String, value: String?) {
        self.variable = variable
        self.expected = expected
        self.value = value
    }

    public var description: String {
        if let value {
            return "\(variable)=\"\(value)\" is invalid: expected \(expected)"
        }
        return "\(variable) is invalid: expected \(expected)"
    }
}
