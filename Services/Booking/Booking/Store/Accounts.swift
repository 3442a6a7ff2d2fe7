import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// What Booking holds of one person, for their account's deletion: bookings and reviews stay (they are the other
/// party's record too, and name the person by id only); listings, calendars and photos go.
struct Accounts: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Bookings still to come that the person is a party of: theirs as a traveler, and others' on their experiences.
    func upcomingBookings(of userID: UUID, after now: Date) async throws -> Int {
        let rows = try await postgres.query(
            """
            SELECT count(*)::int FROM bookings b JOIN experiences e ON e.id = b.experience_id
            WHERE (b.traveler_id = \(userID) OR e.provider_id = \(userID)) AND b.starts_at > \(now)
              AND b.status IN ('pending_payment', 'awaiting_provider', 'confirmed')
            """,
            logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Archives the person's experiences (returning their ids, to tell Search), forgets their calendars and removes
    /// the rows of the photos they uploaded (returning their ids, whose files the caller deletes after the commit).
    func erase(_ userID: UUID, at now: Date, on connection: PostgresConnection) async throws -> (archived: [UUID], photos: [UUID]) {
        var archived: [UUID] = []
        let rows = try await connection.query(
            """
            UPDATE experiences SET status = 'archived', version = version + 1, updated_at = \(now)
            WHERE provider_id = \(userID) AND status <> 'archived' RETURNING id
            """,
            logger: logger)
        for try await id in rows.decode(UUID.self) { archived.append(id) }
        try await connection.query("DELETE FROM calendar_imports WHERE provider_id = \(userID)", logger: logger)
        try await connection.query("DELETE FROM calendar_feeds WHERE provider_id = \(userID)", logger: logger)
        try await connection.query(
            "UPDATE experiences SET cover_photo_id = NULL WHERE cover_photo_id IN (SELECT id FROM photos WHERE owner_id = \(userID))", logger: logger)
        var photos: [UUID] = []
        let gone = try await connection.query("DELETE FROM photos WHERE owner_id = \(userID) RETURNING id", logger: logger)
        for try await id in gone.decode(UUID.self) { photos.append(id) }
        return (archived, photos)
    }

    /// Every record of Booking's that is about the person, as JSON rows: their bookings, experiences, reviews and photos.
    func records(of userID: UUID) async throws -> [String: JSONValue] {
        [
            "bookings": try await postgres.jsonRows("SELECT * FROM bookings WHERE traveler_id = \(userID) ORDER BY created_at", logger: logger),
            "experiences": try await postgres.jsonRows("SELECT * FROM experiences WHERE provider_id = \(userID) ORDER BY created_at", logger: logger),
            "reviews": try await postgres.jsonRows("SELECT * FROM reviews WHERE traveler_id = \(userID) ORDER BY created_at", logger: logger),
            "photos": try await postgres.jsonRows(
                """
                SELECT id, experience_id, review_id, status, content_type, size, width, height, created_at FROM photos
                WHERE owner_id = \(userID) ORDER BY created_at
                """,
                logger: logger),
        ]
    }
}
