import Contracts

/// Collects what is wrong with a request's fields, so that one answer names them all. Two kinds: a field that breaks
/// the published document (a length, a range, a pattern) is a 400; a well-formed field that a rule the document
/// cannot state refuses (a cursor that is not ours, a time in the past, a wrong code) is a 422.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []
    private var malformed = false

    public init() {}

    /// Notes `message` for `field` unless `condition` holds: the field breaks the document.
    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { fail(field, message) }
    }

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
        malformed = true
    }

    /// Notes `message` for `field` unless `condition` holds: the field is well formed, but a rule refuses it.
    public mutating func rule(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field: field, message: message)) }
    }

    /// Notes what a rule of the caller's found wrong with `field`, if anything.
    public mutating func note(_ problem: FieldProblem?, _ field: String) {
        switch problem {
        case .malformed(let message): fail(field, message)
        case .refused(let message): rule(false, field, message)
        case nil: break
        }
    }

    /// Throws a 400 naming every noted field if one breaks the document, else a 422 if a rule refused one.
    public func validate() throws {
        guard !errors.isEmpty else { return }
        throw malformed ? Problem.validation(errors) : Problem.unprocessable(errors)
    }
}
