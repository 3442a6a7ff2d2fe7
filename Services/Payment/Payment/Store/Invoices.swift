import Foundation
import Logging
import PostgresNIO

/// The `invoices` table: one per paid payment, numbered `MG-<year>-<sequence>` without gaps within a year.
struct Invoices: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Issues the payment's invoice (once); returns its id and number.
    func issue(for paymentID: UUID, at now: Date, on connection: PostgresConnection) async throws -> (UUID, String) {
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).year!
        let counted = try await connection.query(
            """
            INSERT INTO invoice_counters (year, last) VALUES (\(year), 1)
            ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last
            """,
            logger: logger
        )
        var sequence = 0
        for try await last in counted.decode(Int.self) { sequence = last }
        let id = UUID()
        let number = String(format: "MG-%04d-%06d", year, sequence)
        try await connection.query(
            "INSERT INTO invoices (id, payment_id, number, issued_at) VALUES (\(id), \(paymentID), \(number), \(now))",
            logger: logger
        )
        return (id, number)
    }

    /// The invoice `id`: its number, when it was issued, and its payment's id.
    func find(_ id: UUID) async throws -> (number: String, issuedAt: Date, paymentID: UUID)? {
        let rows = try await postgres.query("SELECT number, issued_at, payment_id FROM invoices WHERE id = \(id)", logger: logger)
        for try await row in rows.decode((String, Date, UUID).self) { return row }
        return nil
    }
}
