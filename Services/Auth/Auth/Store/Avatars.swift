import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `avatars` table: each user's latest upload (`pending_version`) and the one whose sizes exist
/// (`ready_version`). An avatar's files never change under their version, so their URLs can be cached for good.
struct Avatars: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The version a new upload of the user's takes, held back from the job until `release` (its file is stored in
    /// between; an upload that never got there is given up on once `hold` has passed).
    func nextVersion(of userID: UUID, at now: Date, hold: TimeInterval) async throws -> Int64 {
        let later = now.addingTimeInterval(hold)
        let rows = try await postgres.query(
            """
            INSERT INTO avatars (user_id, pending_version, run_after) VALUES (\(userID), 1, \(later))
            ON CONFLICT (user_id) DO UPDATE SET pending_version = avatars.pending_version + 1, run_after = \(later), attempts = 0, last_error = NULL
            RETURNING pending_version
            """,
            logger: logger)
        for try await version in rows.decode(Int64.self) { return version }
        return 1
    }

    /// Hands upload `version` to the job.
    func release(_ userID: UUID, version: Int64, at now: Date) async throws {
        try await postgres.query(
            "UPDATE avatars SET run_after = \(now) WHERE user_id = \(userID) AND pending_version = \(version)", logger: logger)
    }

    /// The next upload whose sizes are due, put off by `lease`; other instances skip it meanwhile.
    func claim(at now: Date, lease: TimeInterval) async throws -> (userID: UUID, version: Int64, attempts: Int)? {
        let rows = try await postgres.query(
            """
            UPDATE avatars SET attempts = attempts + 1, run_after = \(now.addingTimeInterval(lease))
            WHERE user_id = (
                SELECT user_id FROM avatars WHERE ready_version IS DISTINCT FROM pending_version AND run_after <= \(now)
                ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED
            )
            RETURNING user_id, pending_version, attempts
            """,
            logger: logger)
        for try await claimed in rows.decode((UUID, Int64, Int).self) { return claimed }
        return nil
    }

    /// Makes `version` the user's avatar unless a newer upload came meanwhile; returns whether it did.
    func finish(_ userID: UUID, version: Int64) async throws -> Bool {
        let rows = try await postgres.query(
            """
            UPDATE avatars SET ready_version = \(version), last_error = NULL
            WHERE user_id = \(userID) AND pending_version = \(version) RETURNING user_id
            """,
            logger: logger)
        return try await rows.returnedARow()
    }

    /// Tries an upload again at `time`, or gives up on it when `time` is `nil` (the previous avatar stays).
    func fail(_ userID: UUID, version: Int64, error: String, retryAt time: Date?) async throws {
        guard let time else {
            try await postgres.transaction(logger: logger) { connection in
                try await connection.query(
                    "DELETE FROM avatars WHERE user_id = \(userID) AND pending_version = \(version) AND ready_version IS NULL", logger: logger)
                try await connection.query(
                    "UPDATE avatars SET pending_version = ready_version, last_error = \(error) WHERE user_id = \(userID) AND pending_version = \(version)",
                    logger: logger)
            }
            return
        }
        try await postgres.query(
            "UPDATE avatars SET last_error = \(error), run_after = \(time) WHERE user_id = \(userID) AND pending_version = \(version)", logger: logger)
    }

    /// Forgets the user's avatar; returns the versions whose files can go.
    func remove(_ userID: UUID) async throws -> [Int64] {
        let rows = try await postgres.query(
            "DELETE FROM avatars WHERE user_id = \(userID) RETURNING pending_version, ready_version", logger: logger)
        for try await (pending, ready) in rows.decode((Int64, Int64?).self) { return Array(Set([pending] + (ready.map { [$0] } ?? []))) }
        return []
    }

    /// The version of the user's avatar whose sizes exist, if any.
    func readyVersion(of userID: UUID, on connection: PostgresConnection? = nil) async throws -> Int64? {
        let query: PostgresQuery = "SELECT ready_version FROM avatars WHERE user_id = \(userID)"
        let rows = try await postgres.query(query, on: connection, logger: logger)
        for try await version in rows.decode(Int64?.self) { return version }
        return nil
    }
}
