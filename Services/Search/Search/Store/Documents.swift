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

    /// Applies `event` — once per event id, unless only the versions should decide (a reindex page, whose events
    /// are made up on the spot) — and learns its words; returns whether the index changed.
    @discardableResult
    func apply(_ event: SearchFeedEvent, at now: Date, oncePerID: Bool = true) async throws -> Bool {
        let (changed, repeated) = try await postgres.transaction(logger: logger) { connection in
            if oncePerID {
                let fresh = try await connection.query(
                    "INSERT INTO feed_events (id, received_at) VALUES (\(event.id), \(now)) ON CONFLICT DO NOTHING RETURNING id", logger: logger
                )
                var isNew = false
                for try await _ in fresh { isNew = true }
                guard isNew else { return (false, true) }
            }
            return (try await applyState(event, at: now, on: connection), false)
        }
        // Learning again on a repeat is harmless, and makes up for a first delivery that failed at this step.
        if changed || repeated, let experience = event.experience { try await learn(experience) }
        if changed || repeated, let provider = event.provider { try await learn(words: [provider.name, provider.city ?? ""]) }
        return changed
    }

    /// Applies what `event` says is the state now, if it is newer than what the index has.
    private func applyState(_ event: SearchFeedEvent, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        switch event.kind {
        case .experienceChanged:
            guard let experience = event.experience else { return false }
            try await lock(experience.id, on: connection)
            // Under the provider's lock too: a name changing meanwhile is either read here or written over this.
            try await lock(experience.providerId, on: connection)
            guard try await upsert(experience, version: event.version, at: now, on: connection) else { return false }
            // Its slots may have arrived first.
            try await noteAvailability(of: experience.id, on: connection)
            return true
        case .slotChanged:
            guard let slot = event.slot else { return false }
            try await lock(slot.experienceId, on: connection)
            let changed = try await changed(
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
            if changed { try await noteAvailability(of: slot.experienceId, on: connection) }
            return changed
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
        case .providerChanged:
            guard let provider = event.provider else { return false }
            let city = provider.city ?? ""
            try await lock(provider.id, on: connection)
            guard
                try await changed(
                    """
                    INSERT INTO providers (id, name, city, version) VALUES (\(provider.id), \(provider.name), \(provider.city), \(event.version))
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, city = excluded.city, version = excluded.version
                    WHERE providers.version < excluded.version
                    RETURNING id
                    """,
                    on: connection
                )
            else { return false }
            // Their experiences are written again, so the index follows.
            try await connection.query(
                """
                UPDATE documents SET provider_name = \(provider.name), provider_city = \(city)
                WHERE provider_id = \(provider.id) AND (provider_name <> \(provider.name) OR provider_city <> \(city))
                """,
                logger: logger
            )
            return true
        }
    }

    private func upsert(_ e: SearchFeedEvent.Experience, version: Int64, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        try await changed(
            """
            INSERT INTO documents (id, provider_id, title, description, category, tags, latitude, longitude, city, country, duration_minutes,
                price_amount, currency, max_guests, languages, status, rating_average, rating_count, version, updated_at, provider_name, provider_city, cover_photo_id)
            SELECT \(e.id), \(e.providerId), \(e.title), \(e.description), \(e.category), \(e.tags), \(e.latitude), \(e.longitude), \(e.city),
                \(e.country), \(e.durationMinutes), \(e.price.amount), \(e.price.currency), \(e.maxGuests), \(e.languages), \(e.status),
                \(e.ratingAverage), \(e.ratingCount), \(version), \(now), coalesce(p.name, ''), coalesce(p.city, ''), \(e.coverPhoto?.id)
            FROM (SELECT 1) one LEFT JOIN providers p ON p.id = \(e.providerId)
            ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, title = excluded.title, description = excluded.description,
                category = excluded.category, tags = excluded.tags, latitude = excluded.latitude, longitude = excluded.longitude,
                city = excluded.city, country = excluded.country, duration_minutes = excluded.duration_minutes,
                price_amount = excluded.price_amount, currency = excluded.currency, max_guests = excluded.max_guests,
                languages = excluded.languages, status = excluded.status, rating_average = excluded.rating_average,
                rating_count = excluded.rating_count, version = excluded.version, updated_at = excluded.updated_at,
                provider_name = excluded.provider_name, provider_city = excluded.provider_city, cover_photo_id = excluded.cover_photo_id
            WHERE documents.version < excluded.version
            RETURNING id
            """,
            on: connection
        )
    }

    /// Forgets a person whose account is erased: a provider's name and city (in their experiences' words too, and for
    /// good: no later event writes them again) and a traveler's bookings (which recommendations learn from).
    func erase(_ userID: UUID) async throws {
        try await postgres.transaction(logger: logger) { connection in
            try await lock(userID, on: connection)
            try await connection.query(
                """
                INSERT INTO providers (id, name, city, version) VALUES (\(userID), '', NULL, \(Int64.max))
                ON CONFLICT (id) DO UPDATE SET name = '', city = NULL, version = excluded.version
                """,
                logger: logger)
            try await connection.query(
                "UPDATE documents SET provider_name = '', provider_city = '' WHERE provider_id = \(userID) AND (provider_name <> '' OR provider_city <> '')",
                logger: logger)
            try await connection.query("DELETE FROM booked WHERE traveler_id = \(userID)", logger: logger)
        }
    }

    /// What Search keeps about a person: the bookings recommendations learn from, and their name and city as a provider.
    func records(of userID: UUID) async throws -> [String: JSONValue] {
        [
            "bookings": try await postgres.jsonRows("SELECT * FROM booked WHERE traveler_id = \(userID)", logger: logger),
            "provider": try await postgres.jsonRows("SELECT id, name, city FROM providers WHERE id = \(userID)", logger: logger),
        ]
    }

    /// Whether no experience has been indexed yet (a new database, which Search fills from Booking).
    func isEmpty() async throws -> Bool {
        let rows = try await postgres.query("SELECT NOT EXISTS (SELECT 1 FROM documents)", logger: logger)
        for try await empty in rows.decode(Bool.self) { return empty }
        return false
    }

    /// Adds `experience`'s words to the lexicon and its title, tags and city to the completions. Outside the feed's
    /// transaction and only for what is missing, so that experiences arriving together do not queue on the same rows;
    /// in sorted order, so that two inserting the same words at once take their locks in the same order (no deadlock).
    func learn(_ e: SearchFeedEvent.Experience) async throws {
        guard e.status == "published" else { return }
        try await learn(words: [e.title, e.description, e.city, e.category] + e.tags)
        let completions = [(e.title, "title"), (e.city, "city")] + e.tags.map { ($0, "tag") }
        try await postgres.query(
            """
            INSERT INTO completions (folded, kind, text)
            SELECT folded(t), k, t FROM unnest(\(completions.map(\.0))::text[], \(completions.map(\.1))::text[]) AS c(t, k)
            WHERE t <> '' AND NOT EXISTS (SELECT 1 FROM completions WHERE folded = folded(c.t) AND kind = c.k)
            ORDER BY 1, 2 ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    /// Adds the words of `texts` to the lexicon, which typo tolerance corrects to.
    private func learn(words texts: [String]) async throws {
        let words = Set(QueryText.tokens(texts.joined(separator: " ")).filter { $0.count >= 3 })
        try await postgres.query(
            """
            INSERT INTO lexicon (word) SELECT w FROM unnest(\(Array(words))::text[]) w
            WHERE NOT EXISTS (SELECT 1 FROM lexicon WHERE word = w) ORDER BY w ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    /// Weighs each city and tag completion by how many published experiences use it (titles weigh one).
    func weighCompletions() async throws {
        try await postgres.query(
            """
            UPDATE completions c SET weight = counted.n FROM (
                SELECT folded(city) AS folded, 'city' AS kind, count(*)::int AS n FROM documents WHERE status = 'published' GROUP BY 1
                UNION ALL
                SELECT folded(tag), 'tag', count(*)::int FROM documents, unnest(tags) AS tag WHERE status = 'published' GROUP BY 1
            ) counted
            WHERE c.folded = counted.folded AND c.kind = counted.kind AND c.weight <> counted.n
            """,
            logger: logger
        )
    }

    /// Takes the experience's (or provider's) turn: its events apply one after the other, so that each sees the
    /// slots the others wrote when it notes the experience's availability.
    private func lock(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockNamespace), hashtext(\(id.uuidString)))", logger: logger)
    }

    /// A key of the advisory locks of Search's feed ("MYS"), apart from the migrations' and anyone else's.
    private static let lockNamespace: Int32 = 0x4D_59_53

    /// Notes on the document the start of its last open slot with a seat, which also marks the document written, so
    /// that the index followers read its slots again.
    private func noteAvailability(of experience: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE documents SET last_open_at = (
                SELECT max(starts_at) FROM slots WHERE experience_id = \(experience) AND status = 'open' AND remaining > 0
            ) WHERE id = \(experience)
            """,
            logger: logger
        )
    }

    /// Runs a statement that returns a row for each change; whether it returned any.
    private func changed(_ statement: PostgresQuery, on connection: PostgresConnection) async throws -> Bool {
        var any = false
        for try await _ in try await connection.query(statement, logger: logger) { any = true }
        return any
    }
}
