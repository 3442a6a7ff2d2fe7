import Contracts
import Foundation
import Hummingbird

/// A booking as the API shows it.
struct Booking: ResponseCodable, Sendable, Equatable {
    var id: UUID
    var experienceId: UUID
    var slotId: UUID
    var travelerId: UUID
    var providerId: UUID
    var guests: Int
    var total: Money
    /// The experience's policy when the booking was made: refunds follow it, whatever the experience says later.
    var cancellationPolicy: CancellationPolicy
    var status: BookingStatus
    var note: String?
    var startsAt: Date
    var endsAt: Date
    /// Until when the seats are held without payment.
    var holdExpiresAt: Date?
    /// Until when the provider may answer a request.
    var respondBy: Date?
    var paid: Money
    var refunded: Money
    var cancellationReason: String?
    var createdAt: Date
    var updatedAt: Date
}
