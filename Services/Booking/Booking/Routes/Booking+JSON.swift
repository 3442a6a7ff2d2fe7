import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Booking {
    /// This booking as `JSONEncoder.mayaGo` writes it, byte for byte (keys sorted, a nil left out), written straight
    /// into bytes: through `Codable`'s encoder the answer to a booking made was a twentieth of Booking's work for it.
    /// `BookingJSONTests` holds the two to the same bytes.
    var json: [UInt8] {
        var out = JSONOutput(capacity: 768)
        out.open("{")
        out.field("cancellationPolicy", cancellationPolicy.rawValue)
        out.field("cancellationReason", cancellationReason)
        out.field("createdAt", ISO8601Format.string(createdAt))
        out.field("endsAt", ISO8601Format.string(endsAt))
        out.field("experienceId", experienceId)
        out.key("guests")
        out.number(guests)
        out.field("holdExpiresAt", holdExpiresAt.map(ISO8601Format.string))
        out.field("id", id)
        out.field("note", note)
        out.field("paid", paid)
        out.field("providerId", providerId)
        out.field("refunded", refunded)
        out.field("respondBy", respondBy.map(ISO8601Format.string))
        out.field("slotId", slotId)
        out.field("startsAt", ISO8601Format.string(startsAt))
        out.field("status", status.rawValue)
        out.field("total", total)
        out.field("travelerId", travelerId)
        out.field("updatedAt", ISO8601Format.string(updatedAt))
        out.close("}")
        return out.bytes
    }

    /// Every answer that is one booking is written by hand.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(bytes: json)
    }
}
