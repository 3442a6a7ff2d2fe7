import Foundation

/// What an admin did in another service, for Auth's audit log (`POST` ``AdminAction/path`` through the acting
/// service's outbox): Payment's refunds and commissions. Auth records each message once.
public struct AdminAction: InternalCall, Equatable {
    public static let destination = ServiceName.auth
    public static let route = "audit"

    public var adminId: UUID
    /// What was done, in snake case: `payment_refunded`, `commission_changed`.
    public var action: String
    /// What it was done to: a payment's or a provider's id.
    public var subject: String
    public var detail: String
    /// The admin's address, as the gateway resolved it.
    public var address: String?
    public var occurredAt: Date

    public init(adminId: UUID, action: String, subject: String, detail: String, address: String?, occurredAt: Date) {
        self.adminId = adminId
        self.action = action
        self.subject = subject
        self.detail = detail
        self.address = address
        self.occurredAt = occurredAt
    }
}
