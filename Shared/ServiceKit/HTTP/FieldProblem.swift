/// What a check of one field found: the field breaks the published document (a 400), or a rule refuses it (a 422).
public enum FieldProblem: Sendable, Equatable {
    case malformed(String)
    case refused(String)
}
