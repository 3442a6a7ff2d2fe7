import Foundation
import Logging
import PostgresNIO

/// The `schedules` table: the weekly rules a provider made slots from.
struct Schedules: Sendable {
    let logger: Logger

    func insert(
        _ id: UUID, experienceID: UUID, weekdays: [Int], startTimes: [LocalTime], from: LocalDate, until: LocalDate, capacity: Int, at now: Date,
        on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO schedules (id, experience_id, weekdays, start_times, starts_on, ends_on, capacity, created_at)
            VALUES (\(id), \(experienceID), \(weekdays), \(startTimes.map(\.description)), \(from.description), \(until.description), \(capacity), \(now))
            """,
            logger: logger
        )
    }

    /// Whether `id` is one of the experience's schedules.
    func exists(_ id: UUID, of experienceID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM schedules WHERE id = \(id) AND experience_id = \(experienceID)", logger: logger)
        for try await _ in rows { return true }
        return false
    }
}
