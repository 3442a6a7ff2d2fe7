import Contracts
import Foundation

/// Who is calling, from a verified access token.
public struct Identity: Sendable, Hashable {
    public let userID: UUID
    public let role: Role

    public init(userID: UUID, role: Role) {
        self.userID = userID
        self.role = role
    }
}
