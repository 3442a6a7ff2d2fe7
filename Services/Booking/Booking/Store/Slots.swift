import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The `slots` table. Seats are taken by one conditional update, which PostgreSQL runs under the row's lock and
/// re-checks after any concurrent change: two bookings can never both take the last seat.
struct Slots: Sendable {
    let postgres: PostgresClient
    /// The replica for reads that may lag (`DatabaseReads`), or the primary.
    let reads: PostgresClient
    let logger: Logger

    static let columns = "id, experience_id, starts_at, ends_at, capacity, remaining, status, version"

    /// The columns as Search is told of a slot: one on a blackout date of its experience cannot be booked, so it
    /// goes as cancelled while the date stays blacked out. Read `FROM slots s JOIN experiences e`.
    static let feedColumns = """
        s.id, s.experience_id, s.starts_at, s.ends_at, s.capacity, s.remaining,
        CASE WHEN s.status = 'open' AND (s.starts_at AT TIME ZONE e.time_zone)::date = ANY(e.blackout_dates) THEN 'cancelled' ELSE s.status END,
        s.version
        """

    /// Takes, until the caller's transaction ends, the lock that makes checking `providerID`'s slots for overlaps
    /// and adding one a single step.
    func lockProvider(_ providerID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("slots:" + providerID.uuidString)))", logger: logger)
    }

    /// Inserts `slot` unless the experience has one at that start already; returns whether it did.
    func insert(_ slot: Slot, providerID: UUID, scheduleID: UUID?, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO slots (id, experience_id, provider_id, schedule_id, starts_at, ends_at, capacity, remaining)
            VALUES (\(slot.id), \(slot.experienceId), \(providerID), \(scheduleID), \(slot.startsAt), \(slot.endsAt), \(slot.capacity), \(slot.capacity))
            ON CONFLICT (experience_id, starts_at) DO NOTHING RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    /// The first open slot of `providerID` that overlaps [start, end), if any.
    func overlapping(providerID: UUID, start: Date, end: Date, on connection: PostgresConnection) async throws -> Slot? {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM slots
            WHERE provider_id = \(providerID) AND status = 'open' AND starts_at < \(end) AND ends_at > \(start)
            ORDER BY starts_at LIMIT 1
            """,
            on: connection
        ).first
    }

    /// Open slots of an experience starting in [from, to) with at least `guests` seats left that its booking rules
    /// let be booked at `now` (notice, window, blackout dates), except those when the provider's imported calendars
    /// say they are busy.
    func available(experienceID: UUID, from: Date, to: Date, guests: Int, at now: Date) async throws -> [Slot] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM slots
            WHERE experience_id = \(experienceID) AND status = 'open' AND starts_at >= \(from) AND starts_at < \(to) AND remaining >= \(guests)
              AND NOT EXISTS (
                  SELECT 1 FROM busy_times b WHERE b.provider_id = slots.provider_id AND b.starts_at < slots.ends_at AND b.ends_at > slots.starts_at
              )
              AND EXISTS (
                  SELECT 1 FROM experiences e WHERE e.id = slots.experience_id
                    AND slots.starts_at >= \(now)::timestamptz + make_interval(hours => e.min_notice_hours)
                    AND (e.booking_window_days IS NULL OR slots.starts_at <= \(now)::timestamptz + make_interval(days => e.booking_window_days))
                    AND NOT (slots.starts_at AT TIME ZONE e.time_zone)::date = ANY(e.blackout_dates)
              )
            ORDER BY starts_at LIMIT 500
            """,
            on: nil,
            mayLag: true
        )
    }

    /// The slots of `experienceIDs` starting after `now`, for Search's full reindex.
    func upcoming(of experienceIDs: [UUID], after now: Date) async throws -> [Slot] {
        try await list(
            """
            SELECT \(unescaped: Self.feedColumns) FROM slots s JOIN experiences e ON e.id = s.experience_id
            WHERE s.experience_id = ANY(\(experienceIDs)) AND s.starts_at > \(now) ORDER BY s.starts_at
            """,
            on: nil,
            mayLag: true
        )
    }

    /// Makes Search hear again of the experience's open slots to come, after its blackout dates changed.
    func refeed(experienceID: UUID, after now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE slots SET version = version + 1 WHERE experience_id = \(experienceID) AND status = 'open' AND starts_at > \(now)", logger: logger)
    }

    /// What booking a slot needs to know, in one round trip: the slot, its experience's terms and rules, whether the
    /// provider's imported calendars say they are busy then, how many bookings its local day has (when the rules
    /// limit them), and whether another booked slot of the provider lies within the rules' buffer.
    func bookable(_ id: UUID, on connection: PostgresConnection) async throws -> BookableSlot? {
        for try await bookable in try await connection.execute(BookableSlotQuery(id: id), logger: logger) { return bookable }
        return nil
    }

    /// The longest an experience lasts (7 days), which bounds how far back an overlapping slot can start.
    static let longestMinutes = 10_080

    /// Takes, until the caller's transaction ends, the lock on an experience's local day that makes counting its
    /// bookings and adding one a single step.
    func lockDay(_ day: LocalDate, of experienceID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("day:\(experienceID.uuidString):\(day)")))", logger: logger)
    }

    /// Gives `guests` seats back.
    /// The experience's slot `id`, locked for the caller's transaction.
    func find(_ id: UUID, of experienceID: UUID, on connection: PostgresConnection) async throws -> Slot? {
        try await list("SELECT \(unescaped: Self.columns) FROM slots WHERE id = \(id) AND experience_id = \(experienceID) FOR UPDATE", on: connection).first
    }

    /// The open slots of schedule `scheduleID` starting after `now`, locked for the caller's transaction.
    func upcoming(ofSchedule scheduleID: UUID, after now: Date, on connection: PostgresConnection) async throws -> [Slot] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM slots
            WHERE schedule_id = \(scheduleID) AND status = 'open' AND starts_at > \(now) ORDER BY starts_at FOR UPDATE
            """,
            on: connection
        )
    }

    /// Saves a locked slot's capacity and seats left; Search hears of the new version.
    func resize(_ slot: Slot, on connection: PostgresConnection) async throws -> Slot {
        try await connection.query(
            "UPDATE slots SET capacity = \(slot.capacity), remaining = \(slot.remaining), version = version + 1 WHERE id = \(slot.id)",
            logger: logger
        )
        var saved = slot
        saved.version += 1
        return saved
    }

    /// Closes a locked slot for good; Search hears of it.
    func cancel(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE slots SET status = 'cancelled', version = version + 1 WHERE id = \(id)", logger: logger)
    }

    /// Locks slots `ids` for the caller's transaction, in one order whoever asks, so that two moves between the
    /// same slots cannot deadlock.
    func lock(_ ids: [UUID], on connection: PostgresConnection) async throws {
        try await connection.query("SELECT id FROM slots WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger)
    }

    /// Takes `guests` seats of an open slot starting after `now`; `false` when they are not there.
    func take(_ guests: Int, from id: UUID, at now: Date, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE slots SET remaining = remaining - \(guests), version = version + 1
            WHERE id = \(id) AND status = 'open' AND remaining >= \(guests) AND starts_at > \(now) RETURNING id
            """,
            logger: logger
        )
        return try await rows.returnedARow()
    }

    func release(_ guests: Int, to id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE slots SET remaining = LEAST(capacity, remaining + \(guests)), version = version + 1 WHERE id = \(id)",
            logger: logger
        )
    }

    /// Slots changed since Search was last told (their `version` is past `fed_version`: `unfed`), up to `limit`.
    func unfed(limit: Int, on connection: PostgresConnection) async throws -> [Slot] {
        try await list(
            "SELECT \(unescaped: Self.feedColumns) FROM slots s JOIN experiences e ON e.id = s.experience_id WHERE s.unfed LIMIT \(limit)",
            on: connection)
    }

    /// Notes that Search was told of these slots' versions (a later change keeps a slot unfed), in one statement.
    func markFed(_ slots: [Slot], on connection: PostgresConnection) async throws {
        guard !slots.isEmpty else { return }
        try await connection.query(
            """
            UPDATE slots SET fed_version = fed.version
            FROM unnest(\(slots.map(\.id)), \(slots.map(\.version))) AS fed(id, version)
            WHERE slots.id = fed.id AND slots.fed_version < fed.version
            """,
            logger: logger
        )
    }

    /// Runs `query` on `connection`, else on the primary, or on the replica when the answer `mayLag` behind writes.
    private func list(_ query: PostgresQuery, on connection: PostgresConnection?, mayLag: Bool = false) async throws -> [Slot] {
        let rows = try await (mayLag ? reads : postgres).query(query, on: connection, logger: logger)
        var slots: [Slot] = []
        for try await (id, experience, starts, ends, capacity, remaining, status, version) in rows.decode(
            (UUID, UUID, Date, Date, Int, Int, String, Int64).self)
        {
            slots.append(
                Slot(
                    id: id, experienceId: experience, startsAt: starts, endsAt: ends, capacity: capacity, remaining: remaining,
                    status: Slot.Status(rawValue: status) ?? .cancelled, version: version
                ))
        }
        return slots
    }
}
