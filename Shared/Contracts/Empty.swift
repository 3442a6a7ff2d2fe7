/// An empty JSON object, for calls that send or answer nothing more than their status.
public struct Empty: Codable, Sendable, Hashable {
    public init() {}
}
