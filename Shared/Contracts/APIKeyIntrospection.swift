import Foundation

/// Auth's answer to the gateway's `Authorization: ApiKey …` question (``APIKeyIntrospection/Request``): who the key
/// belongs to and a short-lived access token the gateway forwards in its place, so that services only ever
/// verify access tokens.
public struct APIKeyIntrospection: Codable, Sendable, Equatable {
    /// The question, a `POST` answered at once.
    public struct Request: InternalCall {
        public static let destination = ServiceName.auth
        public static let route = "api-keys/introspect"

        public var key: String

        public init(key: String) {
            self.key = key
        }
    }

    public var userId: UUID
    public var role: Role
    public var scopes: [APIKeyScope]
    public var accessToken: String
    public var expiresIn: Int

    public init(userId: UUID, role: Role, scopes: [APIKeyScope], accessToken: String, expiresIn: Int) {
        self.userId = userId
        self.role = role
        self.scopes = scopes
        self.accessToken = accessToken
        self.expiresIn = expiresIn
    }
}

/// What an API key may do: `read` allows safe methods (GET, HEAD), `write` every other one.
public enum APIKeyScope: String, Codable, Sendable, CaseIterable, Hashable {
    case read
    case write
}
