import Contracts

/// Collects what is wrong with a request's fields, so that one 400 names them all.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    /// Notes `message` for `field` unless `condition` holds.
    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field: field, message: message)) }
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// Throws a 400 naming every noted field, if any.
    public func validate() throws {
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}
