import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `payments`, `refunds` and `disputes` tables.
struct Payments: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    static let columns = """
        id, booking_id, traveler_id, provider_id, amount, currency, refunded_amount, disputed_amount, status, description,
        client_secret, last_error, created_at, updated_at, next_action::text
        """

    /// Inserts `payment` with its provider's charge reference and the experience booked (id and title) unless its
    /// booking has a payment; returns the booking's payment either way.
    func insert(_ payment: Payment, reference: String, experience: (UUID, String)?, on connection: PostgresConnection) async throws -> Payment? {
        let p = payment
        try await connection.query(
            """
            INSERT INTO payments (id, booking_id, traveler_id, provider_id, amount, currency, status, description, client_secret,
                provider_reference, created_at, updated_at, experience_id, experience_title)
            VALUES (\(p.id), \(p.bookingId), \(p.travelerId), \(p.providerId), \(p.amount.amount), \(p.amount.currency), \(p.status.rawValue),
                    \(p.description), \(p.clientSecret), \(reference), \(p.createdAt), \(p.updatedAt), \(experience?.0), \(experience?.1))
            ON CONFLICT (booking_id) DO NOTHING
            """,
            logger: logger
        )
        return try await find(bookingID: p.bookingId, on: connection)
    }

    func find(_ id: UUID, on connection: PostgresConnection? = nil, forUpdate: Bool = false) async throws -> Payment? {
        var query: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM payments WHERE id = \(id)"
        if forUpdate { query.sql += " FOR UPDATE" }
        return try await list(query, on: connection).first
    }

    func find(bookingID: UUID, on connection: PostgresConnection? = nil, forUpdate: Bool = false) async throws -> Payment? {
        var query: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM payments WHERE booking_id = \(bookingID)"
        if forUpdate { query.sql += " FOR UPDATE" }
        return try await list(query, on: connection).first
    }

    /// The provider's id of the payment's charge (Stripe's PaymentIntent).
    func reference(of id: UUID) async throws -> String? {
        let rows = try await postgres.query("SELECT provider_reference FROM payments WHERE id = \(id)", logger: logger)
        for try await reference in rows.decode(String?.self) { return reference }
        return nil
    }

    /// The provider's connected account (`acct_…`) at Stripe, after onboarding.
    func connectedAccount(of providerID: UUID) async throws -> String? {
        let rows = try await postgres.query("SELECT stripe_account FROM provider_accounts WHERE provider_id = \(providerID)", logger: logger)
        for try await account in rows.decode(String.self) { return account }
        return nil
    }

    func saveConnectedAccount(_ account: String, of providerID: UUID, at now: Date) async throws {
        try await postgres.query(
            "INSERT INTO provider_accounts (provider_id, stripe_account, created_at) VALUES (\(providerID), \(account), \(now)) ON CONFLICT DO NOTHING",
            logger: logger
        )
    }

    func save(_ payment: Payment, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE payments SET status = \(payment.status.rawValue), refunded_amount = \(payment.refunded.amount),
                disputed_amount = \(payment.disputed.amount), last_error = \(payment.lastError),
                next_action = \(try payment.nextAction.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) })::jsonb, updated_at = \(now)
            WHERE id = \(payment.id)
            """,
            logger: logger
        )
    }

    /// The money movement claimed on the payment and not yet applied, if any.
    func claimedCall(of id: UUID, on connection: PostgresConnection? = nil) async throws -> ProviderCall? {
        let query: PostgresQuery = "SELECT provider_call::text FROM payments WHERE id = \(id) AND provider_call IS NOT NULL"
        let rows = try await postgres.query(query, on: connection, logger: logger)
        for try await text in rows.decode(String.self) { return try JSONDecoder().decode(ProviderCall.self, from: Data(text.utf8)) }
        return nil
    }

    /// Claims `call` on the locked payment `id`, or clears the claim when `call` is `nil`.
    func setClaimedCall(_ call: ProviderCall?, of id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        let text = try call.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await connection.query(
            "UPDATE payments SET provider_call = \(text)::jsonb, provider_call_since = \(call == nil ? nil : now) WHERE id = \(id)",
            logger: logger
        )
    }

    /// Payments whose claimed call has waited since before `date`: their sender stopped before finishing.
    func claimedCalls(before date: Date) async throws -> [UUID] {
        let rows = try await postgres.query(
            "SELECT id FROM payments WHERE provider_call IS NOT NULL AND provider_call_since < \(date) ORDER BY provider_call_since LIMIT 100",
            logger: logger
        )
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    func recordRefund(of amount: Int64, to paymentID: UUID, reason: String, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO refunds (id, payment_id, amount, reason, created_at) VALUES (\(UUID.random()), \(paymentID), \(amount), \(reason), \(now))",
            logger: logger
        )
    }

    /// The payment whose provider charge is `reference` (Stripe's PaymentIntent), for events that name only that.
    func find(reference: String, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await connection.query("SELECT id FROM payments WHERE provider_reference = \(reference)", logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// Records dispute `id` once, taken from `source`; whether it was new.
    func recordDispute(
        _ id: String, of amount: Int64, from source: Ledger.Account, to paymentID: UUID, reason: String, at now: Date, on connection: PostgresConnection
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO disputes (id, payment_id, amount, reason, created_at, taken_from)
            VALUES (\(id), \(paymentID), \(amount), \(reason), \(now), \(source == .escrow ? "escrow" : "provider"))
            ON CONFLICT DO NOTHING RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    enum DisputeClosing: Equatable {
        /// No such dispute of the payment.
        case unknown
        case closedAlready
        /// Closed now; it had taken `amount`, from escrow or from the provider's balance.
        case closed(amount: Int64, fromEscrow: Bool)
    }

    /// Closes dispute `id` of the payment once with Stripe's `status`.
    func closeDispute(_ id: String, of paymentID: UUID, status: String, at now: Date, on connection: PostgresConnection) async throws -> DisputeClosing {
        let rows = try await connection.query(
            """
            WITH found AS (SELECT id, closed_status FROM disputes WHERE id = \(id) AND payment_id = \(paymentID) FOR UPDATE),
            closed AS (
                UPDATE disputes d SET closed_status = \(status), closed_at = \(now) FROM found
                WHERE d.id = found.id AND found.closed_status IS NULL
                RETURNING d.amount, d.taken_from = 'escrow' AS from_escrow
            )
            SELECT (SELECT count(*)::int FROM found), closed.amount, closed.from_escrow FROM (SELECT 1) one LEFT JOIN closed ON true
            """,
            logger: logger
        )
        for try await (found, amount, fromEscrow) in rows.decode((Int, Int64?, Bool?).self) {
            guard found > 0 else { return .unknown }
            guard let amount, let fromEscrow else { return .closedAlready }
            return .closed(amount: amount, fromEscrow: fromEscrow)
        }
        return .unknown
    }

    private func list(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [Payment] {
        let rows = try await postgres.query(query, on: connection, logger: logger)
        var payments: [Payment] = []
        for try await r in rows.decode((UUID, UUID, UUID, UUID, Int64, String, Int64, Int64, String, String, String, String?, Date, Date, String?).self) {
            payments.append(
                Payment(
                    id: r.0, bookingId: r.1, travelerId: r.2, providerId: r.3, amount: Money(amount: r.4, currency: r.5),
                    refunded: Money(amount: r.6, currency: r.5), disputed: Money(amount: r.7, currency: r.5),
                    status: Payment.Status(rawValue: r.8) ?? .requiresPayment, description: r.9, clientSecret: r.10, lastError: r.11,
                    nextAction: r.14.flatMap { try? JSONDecoder().decode(NextAction.self, from: Data($0.utf8)) }, createdAt: r.12, updatedAt: r.13
                ))
        }
        return payments
    }
}
