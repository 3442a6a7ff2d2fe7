import Contracts
import Foundation
import Testing

@testable import Booking

/// Booking writes its bookings by hand (`Booking.json`); they must be what `JSONEncoder.mayaGo` writes, byte for byte,
/// whichever fields are set and whatever the text holds.
@Suite struct BookingJSONTests {
    static let full = Booking(
        id: UUID(), experienceId: UUID(), slotId: UUID(), travelerId: UUID(), providerId: UUID(), guests: 12,
        total: Money(amount: 9_007_199_254_740_993, currency: "MXN"), cancellationPolicy: .moderate, status: .cancelledByTraveler,
        note: "¿Llevo toalla?\n\t\u{01} \"azul\" / \\ 🌊 \u{2028}", startsAt: Date(timeIntervalSince1970: 1_800_000_000.123),
        endsAt: Date(timeIntervalSince1970: 1_800_003_600.5), holdExpiresAt: Date(timeIntervalSince1970: 1_799_999_000.999),
        respondBy: Date(timeIntervalSince1970: 1_799_990_000), paid: Money(amount: 0, currency: "MXN"),
        refunded: Money(amount: -1, currency: "JPY"), cancellationReason: "Plans \"changed\"", createdAt: Date(timeIntervalSince1970: -1),
        updatedAt: Date(timeIntervalSince1970: 0)
    )

    static let bare: Booking = {
        var booking = full
        booking.note = nil
        booking.holdExpiresAt = nil
        booking.respondBy = nil
        booking.cancellationReason = nil
        return booking
    }()

    static let emptyNote: Booking = {
        var booking = bare
        booking.note = ""
        return booking
    }()

    @Test(
        arguments: [full, bare, emptyNote]
            + BookingStatus.allCases.map { status in
                var booking = bare
                booking.status = status
                return booking
            })
    func theSameBytesAsTheEncoder(_ booking: Booking) throws {
        #expect(String(decoding: booking.json, as: UTF8.self) == String(decoding: try JSONEncoder.mayaGo.encode(booking), as: UTF8.self))
    }
}

/// What Booking writes by hand besides its bookings: the payment request it queues at every booking, and the request
/// whose hash its Idempotency-Key keeps. The same bytes as `JSONEncoder.mayaGo`, or a retry would hash otherwise.
@Suite struct BookingRequestJSONTests {
    static let texts: [String?] = [nil, "", "¿Llevo toalla?\n\t\u{01} \"azul\" / \\ 🌊 \u{2028}"]

    @Test(arguments: texts)
    func aPaymentRequestHasTheEncodersBytes(_ text: String?) throws {
        let request = BookingPayments.PaymentRequest(
            bookingId: UUID(), travelerId: UUID(), providerId: UUID(), amount: Money(amount: 9_007_199_254_740_993, currency: "MXN"),
            description: text ?? "Cenote tour, 2 guests", experienceId: text.map { _ in UUID() }, experienceTitle: text)
        #expect(String(decoding: request.json, as: UTF8.self) == String(decoding: try JSONEncoder.mayaGo.encode(request), as: UTF8.self))
    }

    @Test(arguments: texts)
    func aBookingRequestHasTheEncodersBytes(_ note: String?) throws {
        let request = BookingService.BookingRequest(slotId: UUID(), guests: 100, note: note)
        #expect(String(decoding: request.json, as: UTF8.self) == String(decoding: try JSONEncoder.mayaGo.encode(request), as: UTF8.self))
    }
}
