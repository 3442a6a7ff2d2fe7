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

extension Booking {
    /// The booking moved to `slot` of the same experience, now priced at `price` per guest: a cheaper time gives the
    /// difference back (never more than is left of what was paid), a dearer one keeps the price booked, since a
    /// booking carries one payment. Returns the moved booking and the refund it is owed.
    func rescheduled(to slot: Slot, price: Money) -> (booking: Booking, refund: Money) {
        var moved = self
        moved.slotId = slot.id
        moved.startsAt = slot.startsAt
        moved.endsAt = slot.endsAt
        let newTotal = price.amount * Int64(guests)
        let refund = max(0, min(total.amount - newTotal, paid.amount - refunded.amount))
        moved.total.amount -= refund
        moved.refunded.amount += refund
        return (moved, Money(amount: refund, currency: total.currency))
    }
}
