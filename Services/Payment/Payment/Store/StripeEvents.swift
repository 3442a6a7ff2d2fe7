import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `stripe_events` table: each Stripe event kept once by id, and whether it has been applied.
struct StripeEvents: Sendable {
    let logger: Logger

    /// Keeps `payload` unless an event with its id was kept before; returns whether it is new.
    func insert(_ event: StripeEvent, paymentID: UUID?, payload: String, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO stripe_events (id, type, payment_id, payload, received_at)
            VALUES (\(event.id), \(event.type), \(paymentID), \(payload)::jsonb, \(now))
            ON CONFLICT DO NOTHING RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    func markProcessed(_ id: String, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE stripe_events SET processed_at = \(now) WHERE id = \(id)", logger: logger)
    }

    /// The payment's events not applied yet, oldest first, as `(id, payload)`.
    func unprocessed(of paymentID: UUID, on connection: PostgresConnection) async throws -> [(id: String, payload: String)] {
        let rows = try await connection.query(
            "SELECT id, payload::text FROM stripe_events WHERE payment_id = \(paymentID) AND processed_at IS NULL ORDER BY received_at",
            logger: logger
        )
        var waiting: [(id: String, payload: String)] = []
        for try await row in rows.decode((String, String).self) { waiting.append(row) }
        return waiting
    }
}
