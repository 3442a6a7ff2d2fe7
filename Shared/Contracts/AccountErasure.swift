import Foundation

/// Auth, once a deleted account's grace period is over, tells each service that holds something of the person to
/// erase or pseudonymize it: the same route on each of ``services``, one message to each through Auth's outbox, so
/// that a service that is away hears of it when it is back. Handling it twice does nothing more.
public struct AccountErasure: Codable, Sendable, Equatable {
    /// The route below `/internal/v1/` on every one of ``services``.
    public static let route = "accounts/erasure"
    public static var path: String { "/\(internalRoot)/\(route)" }
    /// The services with something to erase. Payment keeps its records whole (payments, refunds, payouts, invoices
    /// and the ledger are accounting records the law requires, and name the person by id only).
    public static let services: [ServiceName] = [.booking, .messaging, .notify, .search]

    public var userId: UUID
    public var role: Role

    public init(userId: UUID, role: Role) {
        self.userId = userId
        self.role = role
    }
}

/// Booking tells Auth what a person still has to come, before Auth lets them delete their account: their bookings
/// as a traveler, and the bookings of others on the experiences they provide.
public struct AccountCommitments: InternalLookup, Equatable {
    public static let destination = ServiceName.booking
    public static let route = "accounts/:id/commitments"

    public var upcomingBookings: Int

    public init(upcomingBookings: Int) {
        self.upcomingBookings = upcomingBookings
    }
}
