import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `photos` table, and the experience's cover that follows from it.
struct Photos: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    private static let columns = """
        id, experience_id, review_id, owner_id, position, status, content_type, size, width, height, last_error, created_at
        """

    /// Adds `photo` after the others of its experience (or review), whose row the caller holds locked.
    func insert(_ photo: Photo, on connection: PostgresConnection) async throws -> Photo {
        let p = photo
        let rows = try await connection.query(
            """
            INSERT INTO photos (id, experience_id, review_id, owner_id, position, status, content_type, size, width, height, run_after, created_at)
            SELECT \(p.id), \(p.experienceId), \(p.reviewId), \(p.ownerId), coalesce(max(position) + 1, 0), 'processing', \(p.contentType),
                   \(p.size), \(p.width), \(p.height), \(p.createdAt), \(p.createdAt)
            FROM photos WHERE experience_id = \(p.experienceId) AND review_id IS NOT DISTINCT FROM \(p.reviewId)
            RETURNING \(unescaped: Self.columns)
            """,
            logger: logger
        )
        return try await decode(rows)[0]
    }

    func find(_ id: UUID, experienceID: UUID, on connection: PostgresConnection? = nil) async throws -> Photo? {
        try await list("SELECT \(unescaped: Self.columns) FROM photos WHERE id = \(id) AND experience_id = \(experienceID)", on: connection).first
    }

    /// The photos of an experience (not its reviews'), or of one review, in order; only the ready ones unless
    /// `all`.
    func list(experienceID: UUID, reviewID: UUID? = nil, all: Bool) async throws -> [Photo] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM photos
            WHERE experience_id = \(experienceID) AND review_id IS NOT DISTINCT FROM \(reviewID) AND (\(all) OR status = 'ready')
            ORDER BY position, created_at
            """,
            on: nil
        )
    }

    /// The ready photos of each of `reviewIDs`, in order.
    func list(reviewIDs: [UUID]) async throws -> [UUID: [Photo]] {
        guard !reviewIDs.isEmpty else { return [:] }
        let photos = try await list(
            "SELECT \(unescaped: Self.columns) FROM photos WHERE review_id = ANY(\(reviewIDs)) AND status = 'ready' ORDER BY position, created_at",
            on: nil)
        return Dictionary(grouping: photos) { $0.reviewId! }
    }

    func count(experienceID: UUID, reviewID: UUID?, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            "SELECT count(*)::int FROM photos WHERE experience_id = \(experienceID) AND review_id IS NOT DISTINCT FROM \(reviewID)", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Numbers the experience's own photos in the order of `ids`, which must be exactly those photos; returns
    /// whether they were. The caller holds the experience's row locked.
    func reorder(experienceID: UUID, _ ids: [UUID], on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT id FROM photos WHERE experience_id = \(experienceID) AND review_id IS NULL", logger: logger)
        var mine: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { mine.insert(id) }
        guard mine == Set(ids), mine.count == ids.count else { return false }
        try await connection.query(
            """
            UPDATE photos p SET position = wanted.ordinality - 1
            FROM unnest(\(ids)::uuid[]) WITH ORDINALITY AS wanted (id, ordinality)
            WHERE p.id = wanted.id
            """,
            logger: logger
        )
        return true
    }

    func delete(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM photos WHERE id = \(id)", logger: logger)
    }

    /// Points the experience's cover at its first ready photo (other than `excluding`) and bumps its version, if
    /// that changes it; returns whether it did.
    func refreshCover(experienceID: UUID, excluding: UUID? = nil, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            WITH cover AS (
                SELECT id FROM photos
                WHERE experience_id = \(experienceID) AND review_id IS NULL AND status = 'ready' AND id IS DISTINCT FROM \(excluding)
                ORDER BY position, created_at LIMIT 1
            )
            UPDATE experiences SET cover_photo_id = (SELECT id FROM cover), version = version + 1, updated_at = \(now)
            WHERE id = \(experienceID) AND cover_photo_id IS DISTINCT FROM (SELECT id FROM cover)
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    /// Takes the photo whose variants are due next, if any, and puts it off by `lease` (so that a crashed worker's
    /// photo comes back); other instances skip it meanwhile.
    func claim(at now: Date, lease: TimeInterval) async throws -> (photo: Photo, attempts: Int)? {
        let rows = try await postgres.query(
            """
            UPDATE photos SET attempts = attempts + 1, run_after = \(now.addingTimeInterval(lease))
            WHERE id = (
                SELECT id FROM photos WHERE status = 'processing' AND run_after <= \(now)
                ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            RETURNING \(unescaped: Self.columns), attempts
            """,
            logger: logger
        )
        for try await row in rows {
            return (try Self.photo(row), try Array(row)[12].decode(Int.self))
        }
        return nil
    }

    /// Marks a photo ready, or failed with `error`, unless it was deleted meanwhile.
    func finish(_ id: UUID, error: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE photos SET status = \(error == nil ? "ready" : "failed"), last_error = \(error) WHERE id = \(id) AND status = 'processing'",
            logger: logger)
    }

    /// Tries photo `id` again at `time`.
    func retry(_ id: UUID, at time: Date, error: String) async throws {
        try await postgres.query("UPDATE photos SET run_after = \(time), last_error = \(error) WHERE id = \(id) AND status = 'processing'", logger: logger)
    }

    private func list(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> [Photo] {
        let rows = try await postgres.query(query, on: connection, logger: logger)
        return try await decode(rows)
    }

    private func decode(_ rows: PostgresRowSequence) async throws -> [Photo] {
        var photos: [Photo] = []
        for try await row in rows { photos.append(try Self.photo(row)) }
        return photos
    }

    private static func photo(_ row: PostgresRow) throws -> Photo {
        let c = Array(row)
        return Photo(
            id: try c[0].decode(UUID.self), experienceId: try c[1].decode(UUID.self), reviewId: try c[2].decode(UUID?.self),
            ownerId: try c[3].decode(UUID.self), position: try c[4].decode(Int.self),
            status: Photo.Status(rawValue: try c[5].decode(String.self)) ?? .failed, contentType: try c[6].decode(String.self),
            size: try c[7].decode(Int64.self), width: try c[8].decode(Int.self), height: try c[9].decode(Int.self),
            lastError: try c[10].decode(String?.self), createdAt: try c[11].decode(Date.self))
    }
}
