import Foundation

/// Booking writes one at every booking, into its outbox: through `JSONEncoder` that was 3.5 % of Booking's work.
extension BookingPayments.PaymentRequest: WrittenJSON {
    public var json: [UInt8] {
        var out = JSONOutput(capacity: 384)
        out.open("{")
        out.field("amount", amount)
        out.field("bookingId", bookingId)
        out.field("description", description)
        out.field("experienceId", experienceId)
        out.field("experienceTitle", experienceTitle)
        out.field("providerId", providerId)
        out.field("travelerId", travelerId)
        out.close("}")
        return out.bytes
    }
}
