/// One versioned step of a service's schema. Versions are applied in order, each once, each in the same
/// transaction as its bookkeeping row.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// The statements, run one by one (PostgreSQL's extended protocol takes one statement per query).
    public let statements: [String]

    public init(_ version: Int, _ name: String, _ statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
