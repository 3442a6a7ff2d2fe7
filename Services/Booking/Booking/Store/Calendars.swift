import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Calendar sync: each provider's secret feed token, the external calendars they import, and the busy times read
/// from those.
struct Calendars: Sendable {
    struct Import: Codable, Sendable, Equatable {
        var id: UUID
        var url: String
        var fetchedAt: Date?
        var lastError: String?
    }

    let postgres: PostgresClient
    let logger: Logger

    /// The provider's feed token, made on first use.
    func feedToken(of providerID: UUID, at now: Date) async throws -> String {
        try await postgres.query(
            "INSERT INTO calendar_feeds (provider_id, token, created_at) VALUES (\(providerID), \(Self.newToken()), \(now)) ON CONFLICT DO NOTHING",
            logger: logger
        )
        let rows = try await postgres.query("SELECT token FROM calendar_feeds WHERE provider_id = \(providerID)", logger: logger)
        for try await token in rows.decode(String.self) { return token }
        throw CalendarError.noFeed
    }

    /// A new feed token; the old URL stops working.
    func rotateFeedToken(of providerID: UUID, at now: Date) async throws {
        try await postgres.query(
            """
            INSERT INTO calendar_feeds (provider_id, token, created_at) VALUES (\(providerID), \(Self.newToken()), \(now))
            ON CONFLICT (provider_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at
            """,
            logger: logger
        )
    }

    func provider(ofFeedToken token: String) async throws -> UUID? {
        let rows = try await postgres.query("SELECT provider_id FROM calendar_feeds WHERE token = \(token)", logger: logger)
        for try await provider in rows.decode(UUID.self) { return provider }
        return nil
    }

    func imports(of providerID: UUID) async throws -> [Import] {
        let rows = try await postgres.query(
            "SELECT id, url, fetched_at, last_error FROM calendar_imports WHERE provider_id = \(providerID) ORDER BY created_at",
            logger: logger
        )
        var imports: [Import] = []
        for try await (id, url, fetchedAt, error) in rows.decode((UUID, String, Date?, String?).self) {
            imports.append(Import(id: id, url: url, fetchedAt: fetchedAt, lastError: error))
        }
        return imports
    }

    /// Adds `url` to the provider's imports (or finds it there); `nil` when they have `limit` others already. (Two
    /// requests at the same instant may both pass the count: a quota against abuse, not an invariant.)
    func addImport(_ url: String, of providerID: UUID, limit: Int, at now: Date) async throws -> Import? {
        try await postgres.query(
            """
            INSERT INTO calendar_imports (id, provider_id, url, created_at)
            SELECT \(UUID.random()), \(providerID), \(url), \(now)
            WHERE (SELECT count(*) FROM calendar_imports WHERE provider_id = \(providerID)) < \(limit)
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        return try await imports(of: providerID).first { $0.url == url }
    }

    func removeImport(_ id: UUID, of providerID: UUID) async throws -> Bool {
        let rows = try await postgres.query("DELETE FROM calendar_imports WHERE id = \(id) AND provider_id = \(providerID) RETURNING id", logger: logger)
        return try await rows.returnedARow()
    }

    /// Claims up to 20 imports not fetched since `before`, marking them fetched `now` in one statement so that no
    /// other instance takes them; the fetch itself then runs outside any transaction. `= ANY(ARRAY(…))` locks once:
    /// `IN (…)` may be planned to run the locking subquery again for each row, leasing more than its limit.
    func claimDueImports(before: Date, at now: Date) async throws -> [(id: UUID, providerID: UUID, url: String)] {
        let rows = try await postgres.query(
            """
            UPDATE calendar_imports SET fetched_at = \(now)
            WHERE id = ANY(ARRAY(
                SELECT id FROM calendar_imports WHERE fetched_at IS NULL OR fetched_at < \(before)
                ORDER BY fetched_at NULLS FIRST LIMIT 20 FOR UPDATE SKIP LOCKED
            )) RETURNING id, provider_id, url
            """,
            logger: logger
        )
        var due: [(UUID, UUID, String)] = []
        for try await row in rows.decode((UUID, UUID, String).self) { due.append(row) }
        return due
    }

    /// Replaces what an import said the provider is busy with; on a failed fetch keeps the last good times.
    func record(_ importID: UUID, providerID: UUID, busy: [(start: Date, end: Date)]?, error: String?, on connection: PostgresConnection) async throws {
        if let busy {
            try await connection.query("DELETE FROM busy_times WHERE import_id = \(importID)", logger: logger)
            try await connection.query(
                """
                INSERT INTO busy_times (import_id, provider_id, starts_at, ends_at)
                SELECT \(importID), \(providerID), starts_at, ends_at FROM unnest(\(busy.map(\.start))::timestamptz[], \(busy.map(\.end))::timestamptz[]) AS b(starts_at, ends_at)
                """,
                logger: logger
            )
        }
        try await connection.query("UPDATE calendar_imports SET last_error = \(error) WHERE id = \(importID)", logger: logger)
    }

    /// Whether the provider is busy elsewhere during [start, end).
    func isBusy(_ providerID: UUID, from start: Date, to end: Date, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM busy_times WHERE provider_id = \(providerID) AND starts_at < \(end) AND ends_at > \(start) LIMIT 1",
            logger: logger
        )
        return try await rows.returnedARow()
    }

    /// The provider's bookings that belong in their feed: from 30 days ago on, those that are or may be happening.
    func feedEvents(of providerID: UUID, since: Date) async throws -> [ICalendar.Event] {
        let rows = try await postgres.query(
            """
            SELECT b.id, b.starts_at, b.ends_at, b.guests, b.status, e.title, e.address, e.city
            FROM bookings b JOIN experiences e ON e.id = b.experience_id
            WHERE b.provider_id = \(providerID) AND b.starts_at >= \(since) AND b.status IN ('awaiting_provider', 'confirmed', 'completed')
            ORDER BY b.starts_at LIMIT 2000
            """,
            logger: logger
        )
        var events: [ICalendar.Event] = []
        for try await (id, start, end, guests, status, title, address, city) in rows.decode((UUID, Date, Date, Int, String, String, String?, String).self) {
            events.append(
                ICalendar.Event(
                    uid: "\(id.lowercasedString)@mayago", start: start, end: end,
                    summary: "\(title) (\(guests) guest\(guests == 1 ? "" : "s"))",
                    description: status == "awaiting_provider" ? "Request to book: answer it in MayaGo." : nil,
                    location: address.map { "\($0), \(city)" } ?? city,
                    status: status == "awaiting_provider" ? "TENTATIVE" : "CONFIRMED"
                ))
        }
        return events
    }

    private static func newToken() -> String {
        (0..<2).map { _ in UUID.random().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }.joined()
    }
}

enum CalendarError: Error {
    case noFeed
}
