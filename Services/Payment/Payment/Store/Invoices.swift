import Contracts
import Foundation
import Logging
import PostgresNIO

/// The `invoices` table: one per paid payment, numbered `MG-<year>-<sequence>` without gaps within a year. The
/// number is given by ``InvoiceNumbering`` shortly after the payment, so that the one counter row per year is
/// not a lock every payment waits for.
struct Invoices: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Records the payment's invoice, to be numbered.
    func open(for paymentID: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO invoices (id, payment_id, issued_at) VALUES (\(UUID.random()), \(paymentID), \(now)) ON CONFLICT (payment_id) DO NOTHING",
            logger: logger
        )
    }

    /// Numbers up to 500 unnumbered invoices in the order they were issued; returns (invoice, payment, number).
    /// Invoices another instance is numbering are skipped; the year's counter row keeps numbers gapless.
    func number(on connection: PostgresConnection) async throws -> [(UUID, UUID, String)] {
        let rows = try await connection.query(
            "SELECT id, payment_id, issued_at FROM invoices WHERE number IS NULL ORDER BY issued_at, id LIMIT 500 FOR UPDATE SKIP LOCKED",
            logger: logger
        )
        var waiting: [(UUID, UUID, Date)] = []
        for try await row in rows.decode((UUID, UUID, Date).self) { waiting.append(row) }
        var numbered: [(UUID, UUID, String)] = []
        for (id, paymentID, issuedAt) in waiting {
            let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: issuedAt).year!
            let counted = try await connection.query(
                """
                INSERT INTO invoice_counters (year, last) VALUES (\(year), 1)
                ON CONFLICT (year) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last
                """,
                logger: logger
            )
            var sequence = 0
            for try await last in counted.decode(Int.self) { sequence = last }
            let number = String(format: "MG-%04d-%06d", year, sequence)
            try await connection.query("UPDATE invoices SET number = \(number) WHERE id = \(id)", logger: logger)
            numbered.append((id, paymentID, number))
        }
        return numbered
    }

    /// The invoice `id`: its number (once given), when it was issued, and its payment's id.
    func find(_ id: UUID) async throws -> (number: String?, issuedAt: Date, paymentID: UUID)? {
        let rows = try await postgres.query("SELECT number, issued_at, payment_id FROM invoices WHERE id = \(id)", logger: logger)
        for try await row in rows.decode((String?, Date, UUID).self) { return row }
        return nil
    }
}
