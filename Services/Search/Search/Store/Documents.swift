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
    private let learntWords = Learnt<String>()
    private let learntCompletions = Learnt<Completion>()

    /// A completion as the feed offers it: a title, tag or city.
    private struct Completion: Hashable, Sendable {
        var text: String
        var kind: String
    }

    /// The events' ids are kept as long as an inbox keeps a message's: a repeat comes only from an outbox that
    /// could not record its delivery.
    static let retention = Retention.Rule("feed_events", by: "received_at", keptFor: Outbox.inboxRetention)

    /// What a batch of the feed wrote: whether the index changed, and the experiences and providers whose words are to
    /// be learnt (``learn(_:)``).
    struct Written: Sendable {
        var changed: Bool
        var experiences: [SearchFeedEvent.Experience]
        var providers: [SearchFeedEvent.Provider]
    }

    /// Writes `events` in one transaction, each once per event id, unless only the versions should decide (a reindex
    /// page, whose events are made up on the spot). Experiences and slots are written a statement for all of them: a
    /// statement each was most of PostgreSQL's work.
    func write(_ events: [SearchFeedEvent], at now: Date, oncePerID: Bool = true) async throws -> Written {
        try await postgres.transaction(logger: logger) { connection in
            let fresh = oncePerID ? try await record(events.map(\.id), at: now, on: connection) : Set(events.map(\.id))
            let applicable = events.filter { fresh.contains($0.id) }
            try await lock(applicable.flatMap(\.turns), on: connection)
            // Providers first, so that their experiences in the same batch are written with their names.
            var providers: [SearchFeedEvent.Provider] = []
            for event in applicable where event.kind == .providerChanged {
                if let provider = event.provider, try await change(provider, version: event.version, on: connection) { providers.append(provider) }
            }
            let upserted = try await upsert(applicable.filter { $0.kind == .experienceChanged && $0.experience != nil }, at: now, on: connection)
            let slotted = try await upsert(slotsOf: applicable.filter { $0.kind == .slotChanged && $0.slot != nil }, on: connection)
            var booked = false
            for event in applicable where event.kind == .bookingConfirmed {
                if let booking = event.booking, try await record(booking, on: connection) { booked = true }
            }
            // Slots may have arrived before their experience.
            try await noteAvailability(of: Set(upserted.map(\.id)).union(slotted), on: connection)
            // Learning again on a repeat is harmless, and makes up for a first delivery that failed at that step.
            let repeats = events.filter { !fresh.contains($0.id) }
            return Written(
                changed: !upserted.isEmpty || !slotted.isEmpty || !providers.isEmpty || booked,
                experiences: upserted + repeats.compactMap(\.experience), providers: providers + repeats.compactMap(\.provider))
        }
    }

    /// Records that `ids` arrived; returns those that had not before.
    private func record(_ ids: [UUID], at now: Date, on connection: PostgresConnection) async throws -> Set<UUID> {
        let rows = try await connection.query(
            "INSERT INTO feed_events (id, received_at) SELECT DISTINCT unnest(\(ids)::uuid[]), \(now) ON CONFLICT DO NOTHING RETURNING id",
            logger: logger
        )
        return try await rows.decode(UUID.self).reduce(into: []) { $0.insert($1) }
    }

    /// Writes the experiences of `events` where they are newer than the index's (the newest of each, when one comes
    /// twice); returns those written.
    private func upsert(_ events: [SearchFeedEvent], at now: Date, on connection: PostgresConnection) async throws -> [SearchFeedEvent.Experience] {
        guard !events.isEmpty else { return [] }
        let written = try await connection.query(
            """
            INSERT INTO documents (id, provider_id, title, description, category, tags, latitude, longitude, city, country, duration_minutes,
                price_amount, currency, max_guests, languages, status, rating_average, rating_count, version, updated_at, provider_name, provider_city, cover_photo_id)
            SELECT DISTINCT ON (e.id) e.id, e."providerId", e.title, e.description, e.category, e.tags, e.latitude, e.longitude, e.city, e.country,
                e."durationMinutes", (e.price ->> 'amount')::int8, e.price ->> 'currency', e."maxGuests", e.languages, e.status, e."ratingAverage",
                e."ratingCount", (event ->> 'version')::int8, \(now), coalesce(p.name, ''), coalesce(p.city, ''), (e."coverPhoto" ->> 'id')::uuid
            FROM jsonb_array_elements(\(try Self.json(events))::jsonb) event,
                jsonb_to_record(event -> 'experience') AS e(id uuid, "providerId" uuid, title text, description text, category text, tags text[],
                    latitude float8, longitude float8, city text, country text, "durationMinutes" int, price jsonb, "maxGuests" int, languages text[],
                    status text, "ratingAverage" float8, "ratingCount" int, "coverPhoto" jsonb)
            LEFT JOIN providers p ON p.id = e."providerId"
            ORDER BY e.id, (event ->> 'version')::int8 DESC
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
            logger: logger
        )
        let ids = try await written.decode(UUID.self).reduce(into: Set<UUID>()) { $0.insert($1) }
        let newest = Dictionary(events.compactMap { e in e.experience.map { ($0.id, (e.version, $0)) } }) { $0.0 >= $1.0 ? $0 : $1 }
        return ids.compactMap { newest[$0]?.1 }
    }

    /// Writes the slots of `events` where they are newer than the index's; returns the experiences whose slots changed.
    private func upsert(slotsOf events: [SearchFeedEvent], on connection: PostgresConnection) async throws -> Set<UUID> {
        guard !events.isEmpty else { return [] }
        let written = try await connection.query(
            """
            INSERT INTO slots (id, experience_id, starts_at, remaining, status, version)
            SELECT DISTINCT ON (s.id) s.id, s."experienceId", s."startsAt", s.remaining, s.status, (event ->> 'version')::int8
            FROM jsonb_array_elements(\(try Self.json(events))::jsonb) event,
                jsonb_to_record(event -> 'slot') AS s(id uuid, "experienceId" uuid, "startsAt" timestamptz, remaining int, status text)
            ORDER BY s.id, (event ->> 'version')::int8 DESC
            ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, remaining = excluded.remaining, status = excluded.status,
                version = excluded.version
            WHERE slots.version < excluded.version
            RETURNING experience_id
            """,
            logger: logger
        )
        return try await written.decode(UUID.self).reduce(into: []) { $0.insert($1) }
    }

    /// Counts a confirmed booking once; returns whether it was new.
    private func record(_ booking: SearchFeedEvent.Booking, on connection: PostgresConnection) async throws -> Bool {
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

    /// Writes a provider's name and city if newer than the index's, and into their experiences, so that the index follows.
    private func change(_ provider: SearchFeedEvent.Provider, version: Int64, on connection: PostgresConnection) async throws -> Bool {
        let city = provider.city ?? ""
        guard
            try await changed(
                """
                INSERT INTO providers (id, name, city, version) VALUES (\(provider.id), \(provider.name), \(provider.city), \(version))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, city = excluded.city, version = excluded.version
                WHERE providers.version < excluded.version
                RETURNING id
                """,
                on: connection
            )
        else { return false }
        try await connection.query(
            """
            UPDATE documents SET provider_name = \(provider.name), provider_city = \(city)
            WHERE provider_id = \(provider.id) AND (provider_name <> \(provider.name) OR provider_city <> \(city))
            """,
            logger: logger
        )
        return true
    }

    /// Forgets a person whose account is erased: a provider's name and city (in their experiences' words too, and for
    /// good: no later event writes them again) and a traveler's bookings (which recommendations learn from).
    func erase(_ userID: UUID) async throws {
        try await postgres.transaction(logger: logger) { connection in
            try await lock([userID], on: connection)
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

    /// Adds the words of what was `written` (published experiences, providers) to the lexicon, and the experiences'
    /// titles, tags and cities to the completions, the two at once, each only if this instance has not written it
    /// before (``Learnt``). Outside the feed's transaction, so that experiences arriving together do not queue on the
    /// same rows; what is known already is skipped by the primary key's check, before any row is written; in sorted
    /// order, so that two inserting the same words at once take their locks in the same order (no deadlock).
    func learn(_ written: Written) async throws {
        let published = written.experiences.filter { $0.status == "published" }
        let texts = published.flatMap { [$0.title, $0.description, $0.city, $0.category] + $0.tags } + written.providers.flatMap { [$0.name, $0.city ?? ""] }
        async let words: Void = learn(words: texts)
        let offered = published.flatMap { e in
            [Completion(text: e.title, kind: "title"), Completion(text: e.city, kind: "city")] + e.tags.map { Completion(text: $0, kind: "tag") }
        }
        let completions = learntCompletions.unknown(Set(offered))
        if !completions.isEmpty {
            try await postgres.query(
                """
                INSERT INTO completions (folded, kind, text)
                SELECT DISTINCT ON (folded(t), k) folded(t), k, t FROM unnest(\(completions.map(\.text))::text[], \(completions.map(\.kind))::text[]) AS c(t, k)
                WHERE t <> '' ORDER BY 1, 2 ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
            learntCompletions.remember(completions)
        }
        try await words
    }

    /// Adds the words of `texts` to the lexicon, which typo tolerance corrects to.
    private func learn(words texts: [String]) async throws {
        let words = learntWords.unknown(Set(QueryText.tokens(texts.joined(separator: " ")).filter { $0.count >= 3 }))
        guard !words.isEmpty else { return }
        try await postgres.query(
            """
            INSERT INTO lexicon (word) SELECT w FROM unnest(\(words)::text[]) w ORDER BY w ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        learntWords.remember(words)
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

    /// Takes the turns of `ids` (experiences, providers) in one statement: an experience's events apply one after the
    /// other, so that each sees the slots the others wrote when it notes the experience's availability. In the order
    /// of their keys, so that two transactions taking some of the same never wait on each other in a circle.
    private func lock(_ ids: [UUID], on connection: PostgresConnection) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            SELECT pg_advisory_xact_lock(\(Self.lockNamespace), key)
            FROM (SELECT DISTINCT hashtext(id) AS key FROM unnest(\(ids.map(\.uuidString))::text[]) id ORDER BY 1) keys
            """,
            logger: logger
        )
    }

    /// A key of the advisory locks of Search's feed ("MYS"), apart from the migrations' and anyone else's.
    private static let lockNamespace: Int32 = 0x4D_59_53

    /// Notes on each document the start of its last open slot with a seat, which also marks the document written, so
    /// that the index followers read its slots again.
    private func noteAvailability(of experiences: Set<UUID>, on connection: PostgresConnection) async throws {
        guard !experiences.isEmpty else { return }
        try await connection.query(
            """
            UPDATE documents d SET last_open_at = (
                SELECT max(starts_at) FROM slots WHERE experience_id = d.id AND status = 'open' AND remaining > 0
            ) WHERE d.id = ANY(\(Array(experiences)))
            """,
            logger: logger
        )
    }

    /// `events` as the feed sent them, a JSON array that one statement reads as rows.
    private static func json(_ events: [SearchFeedEvent]) throws -> String {
        String(decoding: try JSONEncoder.mayaGo.encode(events), as: UTF8.self)
    }

    /// Runs a statement that returns a row for each change; whether it returned any.
    private func changed(_ statement: PostgresQuery, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(statement, logger: logger).returnedARow()
    }
}

extension SearchFeedEvent {
    /// Whose turns applying this event takes (see `Documents.lock`): the experience whose document it writes, so that
    /// two batches never hold one document's row each and wait for the other's; a provider's too when an experience
    /// changes, so that a name changing meanwhile is either read by the experience's upsert or written over it.
    fileprivate var turns: [UUID] {
        switch kind {
        case .experienceChanged: experience.map { [$0.id, $0.providerId] } ?? []
        case .slotChanged: slot.map { [$0.experienceId] } ?? []
        case .bookingConfirmed: booking.map { [$0.experienceId] } ?? []
        case .providerChanged: provider.map { [$0.id] } ?? []
        }
    }
}
