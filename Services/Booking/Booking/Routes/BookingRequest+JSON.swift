import Contracts
import Foundation

/// The request as `JSONEncoder.mayaGo` encodes it, keys sorted: what its Idempotency-Key's hash is of, so the same
/// booking hashes the same however the client ordered or spaced its JSON. Through the encoder that was 2 % of
/// Booking's work for a booking.
extension BookingService.BookingRequest: WrittenJSON {
    var json: [UInt8] {
        var out = JSONOutput(capacity: 128)
        out.open("{")
        out.key("guests")
        out.number(guests)
        out.field("note", note)
        out.field("slotId", slotId)
        out.close("}")
        return out.bytes
    }
}
