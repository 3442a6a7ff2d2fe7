import Foundation

/// What Messaging needs from Booking to open a conversation: who provides an experience (Booking's internal route
/// ``ExperienceParties/path(_:)``) and, for a conversation about a booking, whose booking it is
/// (``BookingParties/path(_:)``).
public struct ExperienceParties: InternalLookup, Equatable {
    public static let destination = ServiceName.booking
    public static let route = "experiences/:id"

    public var id: UUID
    public var providerId: UUID
    public var title: String
    /// `draft`, `published` or `archived`.
    public var status: String

    public init(id: UUID, providerId: UUID, title: String, status: String) {
        self.id = id
        self.providerId = providerId
        self.title = title
        self.status = status
    }
}

public struct BookingParties: InternalLookup, Equatable {
    public static let destination = ServiceName.booking
    public static let route = "bookings/:id"

    public var id: UUID
    public var experienceId: UUID
    public var travelerId: UUID
    public var providerId: UUID

    public init(id: UUID, experienceId: UUID, travelerId: UUID, providerId: UUID) {
        self.id = id
        self.experienceId = experienceId
        self.travelerId = travelerId
        self.providerId = providerId
    }
}
