import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `experiences` table.
struct Experiences: Sendable {
    let postgres: PostgresClient
    /// The replica for reads that may lag (`DatabaseReads`), or the primary.
    let reads: PostgresClient
    let logger: Logger

    static let columns = """
        id, provider_id, title, description, category, tags, latitude, longitude, city, country, address, time_zone,
        duration_minutes, price_amount, currency, max_guests, booking_mode, cancellation_policy, languages, status,
        rating_sum, rating_count, version, created_at, updated_at, min_notice_hours, booking_window_days, buffer_minutes,
        max_bookings_per_day, blackout_dates::text[], cover_photo_id
        """

    func insert(_ experience: Experience, on connection: PostgresConnection) async throws {
        let e = experience
        try await connection.query(
            """
            INSERT INTO experiences (id, provider_id, title, description, category, tags, latitude, longitude, city, country,
                address, time_zone, duration_minutes, price_amount, currency, max_guests, booking_mode, cancellation_policy,
                languages, status, created_at, updated_at, min_notice_hours, booking_window_days, buffer_minutes, max_bookings_per_day,
                blackout_dates)
            VALUES (\(e.id), \(e.providerId), \(e.title), \(e.description), \(e.category), \(e.tags), \(e.location.latitude),
                \(e.location.longitude), \(e.location.city), \(e.location.country), \(e.location.address), \(e.timeZone),
                \(e.durationMinutes), \(e.price.amount), \(e.price.currency), \(e.maxGuests), \(e.bookingMode.rawValue),
                \(e.cancellationPolicy.rawValue), \(e.languages), \(e.status.rawValue), \(e.createdAt), \(e.updatedAt),
                \(e.bookingRules.minimumNoticeHours), \(e.bookingRules.bookingWindowDays), \(e.bookingRules.bufferMinutes),
                \(e.bookingRules.maxBookingsPerDay), \(e.blackoutDates.map(\.description))::date[])
            """,
            logger: logger
        )
    }

    /// Writes every field of `experience` and bumps its version; returns it as stored.
    func update(_ experience: Experience, at now: Date, on connection: PostgresConnection) async throws -> Experience? {
        let e = experience
        try await connection.query(
            """
            UPDATE experiences SET title = \(e.title), description = \(e.description), category = \(e.category), tags = \(e.tags),
                latitude = \(e.location.latitude), longitude = \(e.location.longitude), city = \(e.location.city),
                country = \(e.location.country), address = \(e.location.address), time_zone = \(e.timeZone),
                duration_minutes = \(e.durationMinutes), price_amount = \(e.price.amount), currency = \(e.price.currency),
                max_guests = \(e.maxGuests), booking_mode = \(e.bookingMode.rawValue), cancellation_policy = \(e.cancellationPolicy.rawValue),
                languages = \(e.languages), status = \(e.status.rawValue), min_notice_hours = \(e.bookingRules.minimumNoticeHours),
                booking_window_days = \(e.bookingRules.bookingWindowDays), buffer_minutes = \(e.bookingRules.bufferMinutes),
                max_bookings_per_day = \(e.bookingRules.maxBookingsPerDay), blackout_dates = \(e.blackoutDates.map(\.description))::date[],
                version = version + 1, updated_at = \(now)
            WHERE id = \(e.id)
            """,
            logger: logger
        )
        return try await find(e.id, on: connection)
    }

    func find(_ id: UUID, on connection: PostgresConnection? = nil, forUpdate: Bool = false) async throws -> Experience? {
        var query: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM experiences WHERE id = \(id)"
        if forUpdate { query.sql += " FOR UPDATE" }
        return try await list(query, on: connection).first
    }

    /// A page, newest first: those of `providerID` if given, only published ones unless `includeUnpublished`.
    func page(providerID: UUID?, includeUnpublished: Bool, before cursor: KeysetCursor?, limit: Int) async throws -> [Experience] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM experiences
            WHERE (\(providerID)::uuid IS NULL OR provider_id = \(providerID)) AND (\(includeUnpublished) OR status = 'published')
              AND (\(cursor?.time)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.time), \(cursor?.id)::uuid))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """,
            on: nil,
            // A provider's own list, drafts included, follows their writes at once; the public one may lag.
            mayLag: !includeUnpublished
        )
    }

    /// Every experience after `id` in id order, for Search's full reindex.
    func all(after id: UUID?, limit: Int) async throws -> [Experience] {
        try await list(
            "SELECT \(unescaped: Self.columns) FROM experiences WHERE \(id)::uuid IS NULL OR id > \(id) ORDER BY id LIMIT \(limit)",
            on: nil,
            mayLag: true
        )
    }

    /// Adds a review's rating to the experience's average.
    func addRating(_ rating: Int, to id: UUID, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE experiences SET rating_sum = rating_sum + \(rating), rating_count = rating_count + 1, version = version + 1, updated_at = \(now) WHERE id = \(id)",
            logger: logger
        )
    }

    /// The average rating over every review of the provider's experiences.
    func rating(ofProvider providerID: UUID) async throws -> Experience.Rating {
        let rows = try await postgres.query(
            "SELECT coalesce(sum(rating_sum), 0)::int8, coalesce(sum(rating_count), 0)::int FROM experiences WHERE provider_id = \(providerID)",
            logger: logger
        )
        for try await (sum, count) in rows.decode((Int64, Int).self) { return Experience.Rating(sum: sum, count: count) }
        return Experience.Rating(sum: 0, count: 0)
    }

    /// Runs `query` on `connection`, else on the primary, or on the replica when the answer `mayLag` behind writes.
    private func list(_ query: PostgresQuery, on connection: PostgresConnection?, mayLag: Bool = false) async throws -> [Experience] {
        let rows = try await (mayLag ? reads : postgres).query(query, on: connection, logger: logger)
        var experiences: [Experience] = []
        for try await row in rows {
            let r = try row.decode(
                (
                    UUID, UUID, String, String, String, [String], Double, Double, String, String, String?, String,
                    Int, Int64, String, Int, String, String, [String], String, Int64, Int, Int64, Date, Date, Int, Int?, Int, Int?, [String], UUID?
                ).self
            )
            experiences.append(
                Experience(
                    id: r.0, providerId: r.1, title: r.2, description: r.3, category: r.4, tags: r.5,
                    location: .init(latitude: r.6, longitude: r.7, city: r.8, country: r.9, address: r.10),
                    timeZone: r.11, durationMinutes: r.12, price: Money(amount: r.13, currency: r.14), maxGuests: r.15,
                    bookingMode: Experience.BookingMode(rawValue: r.16) ?? .instant,
                    cancellationPolicy: CancellationPolicy(rawValue: r.17) ?? .strict, languages: r.18,
                    bookingRules: BookingRules(minimumNoticeHours: r.25, bookingWindowDays: r.26, bufferMinutes: r.27, maxBookingsPerDay: r.28),
                    blackoutDates: r.29.compactMap(LocalDate.init),
                    status: Experience.Status(rawValue: r.19) ?? .draft,
                    rating: Experience.Rating(sum: r.20, count: r.21),
                    coverPhoto: r.30.map { PhotoLinks(experienceID: r.0, id: $0) },
                    version: r.22, createdAt: r.23, updatedAt: r.24
                ))
        }
        return experiences
    }
}
