import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@testable import Payment

/// Booking's outbox sends its payment requests in batches: Payment handles each as if it had come alone.
@Suite struct OutboxBatchPaymentTests {
    @Test func paymentRequestsInABatchAreEachHandledByTheirRoute() async throws {
        try await PaymentHarness.run { payments in
            let traveler = try await PaymentHarness.user(.traveler)
            let provider = try await PaymentHarness.user(.provider)
            let bookings = [UUID(), UUID()]
            func request(_ booking: UUID, amount: Int64 = 120_000) throws -> String {
                let request = BookingPayments.PaymentRequest(
                    bookingId: booking, travelerId: traveler.id, providerId: provider.id, amount: Money(amount: amount, currency: "MXN"),
                    description: "Cenote swim, 2 guests")
                return String(decoding: try JSONEncoder.mayaGo.encode(request), as: UTF8.self)
            }
            let invalid = UUID()
            let messages: [[String: String]] = [
                ["id": UUID().uuidString, "path": BookingPayments.PaymentRequest.path, "payload": try request(bookings[0])],
                ["id": UUID().uuidString, "path": BookingPayments.PaymentRequest.path, "payload": try request(bookings[1])],
                // The first again, as a repeated delivery: the same payment.
                ["id": UUID().uuidString, "path": BookingPayments.PaymentRequest.path, "payload": try request(bookings[0])],
                ["id": invalid.uuidString, "path": BookingPayments.PaymentRequest.path, "payload": try request(UUID(), amount: -5)],
            ]
            let response = try await payments.client.executeRequest(
                uri: "/internal/v1/outbox", method: .post,
                headers: [.authorization: "Bearer \(try await payments.credential.token(for: .payment))", .contentType: "application/json"],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["messages": messages]))
            )
            #expect(response.status.code == 207, "\(response.text)")
            let answer = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: [[String: Any]]]
            let failures = answer?["failures"] ?? []
            #expect(failures.count == 1 && (failures.first?["id"] as? String).flatMap(UUID.init(uuidString:)) == invalid, "\(failures)")
            #expect((failures.first?["status"] as? Int).map { (400..<500).contains($0) } == true, "\(failures)")

            let rows = try await payments.postgres.query("SELECT booking_id FROM payments WHERE booking_id = ANY(\(bookings))")
            var found: [UUID] = []
            for try await id in rows.decode(UUID.self) { found.append(id) }
            #expect(found.sorted { $0.uuidString < $1.uuidString } == bookings.sorted { $0.uuidString < $1.uuidString })
        }
    }
}
