import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `schedules` table: the weekly rules a provider made slots from.
struct Schedules: Sendable {
    let logger: Logger

    func insert(_ id: UUID, experienceID: UUID, terms: ScheduleTerms, at now: Date, on connection: PostgresConnection) async throws {
        let t = terms
        try await connection.query(
            """
            INSERT INTO schedules (id, experience_id, weekdays, start_times, starts_on, ends_on, capacity, created_at)
            VALUES (\(id), \(experienceID), \(t.weekdays), \(t.startTimes.map(\.description)), \(t.from.description), \(t.until.description), \(t.capacity), \(now))
            """,
            logger: logger
        )
    }

    /// The terms of the experience's schedule `id`, locked for the caller's transaction.
    func find(_ id: UUID, of experienceID: UUID, on connection: PostgresConnection) async throws -> ScheduleTerms? {
        let rows = try await connection.query(
            "SELECT weekdays, start_times, starts_on, ends_on, capacity FROM schedules WHERE id = \(id) AND experience_id = \(experienceID) FOR UPDATE",
            logger: logger
        )
        for try await (weekdays, times, from, until, capacity) in rows.decode(([Int], [String], String, String, Int).self) {
            guard let from = LocalDate(from), let until = LocalDate(until) else { return nil }
            return ScheduleTerms(weekdays: weekdays, startTimes: times.compactMap(LocalTime.init), from: from, until: until, capacity: capacity)
        }
        return nil
    }

    func update(_ id: UUID, to terms: ScheduleTerms, on connection: PostgresConnection) async throws {
        let t = terms
        try await connection.query(
            """
            UPDATE schedules SET weekdays = \(t.weekdays), start_times = \(t.startTimes.map(\.description)), starts_on = \(t.from.description),
                ends_on = \(t.until.description), capacity = \(t.capacity)
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    /// Whether `id` is one of the experience's schedules.
    func exists(_ id: UUID, of experienceID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM schedules WHERE id = \(id) AND experience_id = \(experienceID)", logger: logger)
        return try await rows.returnedARow()
    }
}
