/// The body of `/ready`: `ok` when every dependency answers, and what each check found.
public struct Readiness: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Hashable, Sendable {
        case ok
        case unavailable
    }

    public var status: Status
    /// Each dependency (`postgres`, `redis`) and `ok` or what went wrong.
    public var checks: [String: String]

    public init(status: Status, checks: [String: String]) {
        self.status = status
        self.checks = checks
    }
}
