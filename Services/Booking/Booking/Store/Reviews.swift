import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `reviews` table.
struct Reviews: Sendable {
    let postgres: PostgresClient
    /// The replica for reads that may lag (`DatabaseReads`), or the primary.
    let reads: PostgresClient
    let logger: Logger

    static let columns = "id, booking_id, experience_id, traveler_id, rating, comment, reply, replied_at, created_at"

    /// Inserts `review` unless its booking has one; returns whether it did.
    func insert(_ review: Review, providerID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let r = review
        let rows = try await connection.query(
            """
            INSERT INTO reviews (id, booking_id, experience_id, traveler_id, provider_id, rating, comment, created_at)
            VALUES (\(r.id), \(r.bookingId), \(r.experienceId), \(r.travelerId), \(providerID), \(r.rating), \(r.comment), \(r.createdAt))
            ON CONFLICT (booking_id) DO NOTHING RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    /// Sets the reply of a review of `providerID`'s experience that has none yet; the review after, or `nil`.
    func reply(_ text: String, to id: UUID, providerID: UUID, at now: Date, on connection: PostgresConnection) async throws -> Review? {
        try await list(
            """
            UPDATE reviews SET reply = \(text), replied_at = \(now)
            WHERE id = \(id) AND provider_id = \(providerID) AND reply IS NULL RETURNING \(unescaped: Self.columns)
            """,
            on: connection
        ).first
    }

    func find(_ id: UUID) async throws -> (review: Review, providerID: UUID)? {
        let rows = try await postgres.query("SELECT provider_id FROM reviews WHERE id = \(id)", logger: logger)
        var provider: UUID?
        for try await found in rows.decode(UUID.self) { provider = found }
        guard let provider, let review = try await list("SELECT \(unescaped: Self.columns) FROM reviews WHERE id = \(id)", on: nil).first else { return nil }
        return (review, provider)
    }

    func page(experienceID: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> [Review] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM reviews WHERE experience_id = \(experienceID)
              AND (\(cursor?.time)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.time), \(cursor?.id)::uuid))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """,
            on: nil,
            mayLag: true
        )
    }

    /// Runs `query` on `connection`, else on the primary, or on the replica when the answer `mayLag` behind writes.
    private func list(_ query: PostgresQuery, on connection: PostgresConnection?, mayLag: Bool = false) async throws -> [Review] {
        let rows = try await (mayLag ? reads : postgres).query(query, on: connection, logger: logger)
        var reviews: [Review] = []
        for try await (id, booking, experience, traveler, rating, comment, reply, repliedAt, createdAt) in rows.decode(
            (UUID, UUID, UUID, UUID, Int, String, String?, Date?, Date).self
        ) {
            reviews.append(
                Review(
                    id: id, bookingId: booking, experienceId: experience, travelerId: traveler, rating: rating, comment: comment,
                    reply: reply, repliedAt: repliedAt, createdAt: createdAt
                ))
        }
        return reviews
    }
}
