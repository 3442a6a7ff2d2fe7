import Foundation

/// How to reach a user, from Auth's internal route ``UserContact/path(_:)``.
public struct UserContact: InternalLookup, Equatable {
    public static let destination = ServiceName.auth
    public static let route = "users/:id"

    public var id: UUID
    public var email: String
    public var name: String
    public var role: Role
    public var emailVerified: Bool
    public var disabled: Bool

    public init(id: UUID, email: String, name: String, role: Role, emailVerified: Bool, disabled: Bool) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.emailVerified = emailVerified
        self.disabled = disabled
    }
}
