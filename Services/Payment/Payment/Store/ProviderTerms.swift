import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What differs per provider: a commission an admin agreed with them, and the currency they want to be paid in.
struct ProviderTerms: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func commission(of providerID: UUID, on connection: PostgresConnection? = nil) async throws -> Int? {
        let query: PostgresQuery = "SELECT commission_basis_points FROM provider_terms WHERE provider_id = \(providerID)"
        let rows = try await postgres.query(query, on: connection, logger: logger)
        for try await basisPoints in rows.decode(Int?.self) { return basisPoints }
        return nil
    }

    func payoutCurrency(of providerID: UUID) async throws -> String? {
        let rows = try await postgres.query("SELECT payout_currency FROM provider_terms WHERE provider_id = \(providerID)", logger: logger)
        for try await currency in rows.decode(String?.self) { return currency }
        return nil
    }

    func setCommission(_ basisPoints: Int, of providerID: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO provider_terms (provider_id, commission_basis_points, updated_at) VALUES (\(providerID), \(basisPoints), \(now))
            ON CONFLICT (provider_id) DO UPDATE SET commission_basis_points = excluded.commission_basis_points, updated_at = excluded.updated_at
            """,
            logger: logger
        )
    }

    func setPayoutCurrency(_ currency: String, of providerID: UUID, at now: Date) async throws {
        try await postgres.query(
            """
            INSERT INTO provider_terms (provider_id, payout_currency, updated_at) VALUES (\(providerID), \(currency), \(now))
            ON CONFLICT (provider_id) DO UPDATE SET payout_currency = excluded.payout_currency, updated_at = excluded.updated_at
            """,
            logger: logger
        )
    }
}
