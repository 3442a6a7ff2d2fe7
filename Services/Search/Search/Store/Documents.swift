import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Keeps the index as Booking's feed says: each event applied once (by id), and never over a newer state of the
/// same experience or slot (by version), so that repeats and late arrivals change nothing.
struct Documents: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Applies `event` unless it was applied before; returns whether the index changed.
    @discardableResult
    func apply(_ event: SearchFeedEvent, at now: Date) async throws -> Bool {
        try await postgres.transaction(logger: logger) { connection in
            let fresh = try await connection.query(
                "INSERT INTO feed_events (id, received_at) VALUES (\(event.id), \(now)) ON CONFLICT DO NOTHING RETURNING id", logger: logger
            )
            var isNew = false
            for try await _ in fresh { isNew = true }
            guard isNew else { return false }
            return try await applyState(event, at: now, on: connection)
        }
    }

    /// Applies what `event` says is the state now, if it is newer than what the index has (a reindex page).
    func applyState(_ event: SearchFeedEvent, at now: Date, on connection: PostgresConnection? = nil) async throws -> Bool {
        switch event.kind {
        case .experienceChanged:
            guard let experience = event.experience else { return false }
            return try await upsert(experience, version: event.version, at: now, on: connection)
        case .slotChanged:
            guard let slot = event.slot else { return false }
            return try await changed(
                """
                INSERT INTO slots (id, experience_id, starts_at, remaining, status, version)
                VALUES (\(slot.id), \(slot.experienceId), \(slot.startsAt), \(slot.remaining), \(slot.status), \(event.version))
                ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, remaining = excluded.remaining, status = excluded.status,
                    version = excluded.version
                WHERE slots.version < excluded.version
                RETURNING id
                """,
                on: connection
            )
        case .bookingConfirmed:
            guard let booking = event.booking else { return false }
            let recorded = try await changed(
                """
                INSERT INTO booked (booking_id, traveler_id, experience_id) VALUES (\(booking.id), \(booking.travelerId), \(booking.experienceId))
                ON CONFLICT DO NOTHING RETURNING booking_id
                """,
                on: connection
            )
            guard recorded else { return false }
            return try await changed("UPDATE documents SET bookings = bookings + 1 WHERE id = \(booking.experienceId) RETURNING id", on: connection)
        }
    }

    private func upsert(_ e: SearchFeedEvent.Experience, version: Int64, at now: Date, on connection: PostgresConnection?) async throws -> Bool {
        let rows = try await query(
            """
            INSERT INTO documents (id, provider_id, title, description, category, tags, latitude, longitude, city, country, duration_minutes,
                price_amount, currency, max_guests, languages, status, rating_average, rating_count, version, updated_at)
            VALUES (\(e.id), \(e.providerId), \(e.title), \(e.description), \(e.category), \(e.tags), \(e.latitude), \(e.longitude), \(e.city),
                \(e.country), \(e.durationMinutes), \(e.price.amount), \(e.price.currency), \(e.maxGuests), \(e.languages), \(e.status),
                \(e.ratingAverage), \(e.ratingCount), \(version), \(now))
            ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, title = excluded.title, description = excluded.description,
                category = excluded.category, tags = excluded.tags, latitude = excluded.latitude, longitude = excluded.longitude,
                city = excluded.city, country = excluded.country, duration_minutes = excluded.duration_minutes,
                price_amount = excluded.price_amount, currency = excluded.currency, max_guests = excluded.max_guests,
                languages = excluded.languages, status = excluded.status, rating_average = excluded.rating_average,
                rating_count = excluded.rating_count, version = excluded.version, updated_at = excluded.updated_at
            WHERE documents.version < excluded.version
            RETURNING xmax = 0
            """,
            on: connection
        )
        var inserted: Bool?
        for try await isNew in rows.decode(Bool.self) { inserted = isNew }
        guard let inserted else { return false }
        guard e.status == "published" else { return true }
        // The words a misspelling may be corrected to, and what the search box completes.
        let words = Set(QueryText.tokens([e.title, e.description, e.city, e.category, e.tags.joined(separator: " ")].joined(separator: " ")).filter { $0.count >= 3 })
        _ = try await changed("INSERT INTO lexicon (word) SELECT unnest(\(Array(words))::text[]) ON CONFLICT DO NOTHING RETURNING word", on: connection)
        let completions = [(e.title, "title"), (e.city, "city")] + e.tags.map { ($0, "tag") }
        for (text, kind) in completions where !text.isEmpty {
            // Weighed by how many experiences brought it: counted when an experience first arrives.
            _ = try await changed(
                """
                INSERT INTO completions (folded, kind, text) VALUES (folded(\(text)), \(kind), \(text))
                ON CONFLICT (folded, kind) DO UPDATE SET weight = completions.weight + \(inserted ? 1 : 0) RETURNING folded
                """,
                on: connection
            )
        }
        return true
    }

    /// Runs a statement that returns a row for each change; whether it returned any.
    private func changed(_ statement: PostgresQuery, on connection: PostgresConnection?) async throws -> Bool {
        var any = false
        for try await _ in try await query(statement, on: connection) { any = true }
        return any
    }

    private func query(_ statement: PostgresQuery, on connection: PostgresConnection?) async throws -> PostgresRowSequence {
        if let connection { try await connection.query(statement, logger: logger) } else { try await postgres.query(statement, logger: logger) }
    }
}
