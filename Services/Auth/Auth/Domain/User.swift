import Contracts
import Foundation
import Hummingbird

/// A user as clients see them, in `/me` and in token answers.
struct User: ResponseCodable, Sendable, Equatable {
    var id: UUID
    var email: String
    var name: String
    var role: Role
    var emailVerified: Bool
    var twoFactorEnabled: Bool
    var createdAt: Date
}

/// A user as Auth stores them.
struct UserRecord: Sendable {
    var id: UUID
    var email: String
    var name: String
    var role: Role
    var passwordHash: String?
    var emailVerified: Bool
    var disabled: Bool
    var totpSecret: String?
    var totpEnabled: Bool
    var totpLastStep: Int64?
    var createdAt: Date

    var user: User {
        User(id: id, email: email, name: name, role: role, emailVerified: emailVerified, twoFactorEnabled: totpEnabled, createdAt: createdAt)
    }
}
