import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Keeps this instance's `TextIndex` as PostgreSQL's documents are, whoever wrote them: it reads them all first,
/// then, every round of the periodic job and whenever this instance applied a feed event, the documents written since.
/// "Since" goes by writing transaction: a document carries the id of the transaction that wrote it, and a read takes
/// every document whose writer was still running at the read before, so that one committing late is not missed (one
/// read twice changes nothing). It reads where `DatabaseReads` says: a replica, when there is one.
actor IndexFollower: PeriodicWork {
    private let reads: DatabaseReads
    private let logger: Logger
    /// Told when the index changed (the result cache, the remembered corrections).
    private let changed: @Sendable () async -> Void
    private nonisolated let shared = SharedIndex()
    /// The oldest transaction still running at the last read.
    private var horizon: UInt64 = 0
    /// Reads asked for and reads done, as tickets: a read covers every ask made before it started.
    private var asked = 0
    private var covered = 0
    private var reading: Task<Void, any Error>?

    init(reads: DatabaseReads, logger: Logger, changed: @escaping @Sendable () async -> Void) {
        self.reads = reads
        self.logger = logger
        self.changed = changed
    }

    /// What `body` makes of the index, read first if it never was.
    nonisolated func read<Result>(_ body: (TextIndex) throws -> Result) async throws -> Result {
        if !shared.isLoaded { try await follow() }
        return try shared.read(body)
    }

    /// Whether the index was read at least once (`/ready` waits for it; a search would read it first).
    nonisolated var isLoaded: Bool {
        shared.isLoaded
    }

    nonisolated func runOnce() async {
        do {
            try await follow()
        } catch {
            logger.error("Search index not read from PostgreSQL", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Returns once the index has every document committed before the call, this instance's writes among them: a
    /// replica is waited for until it has them.
    func catchUp() async throws {
        try await reads.catchUp(logger: logger)
        try await follow()
    }

    /// Returns once the index has every document the database it reads had committed before the call.
    private func follow() async throws {
        asked += 1
        let ticket = asked
        while covered < ticket {
            if let reading {
                // Started before this ask, or by another ask after it: either way, see what it covered.
                _ = try? await reading.value
                continue
            }
            let task = Task { try await readChanges(covering: asked) }
            reading = task
            try await task.value
        }
    }

    private func readChanges(covering ticket: Int) async throws {
        defer { reading = nil }
        var changes = 0
        let next = try await readDocuments(writtenSince: horizon) { batch in
            changes += shared.write { index in batch.filter { index.upsert($0, words: $1) }.count }
        }
        // The write lock shuts searches out: taken once, not every round.
        if !shared.isLoaded { shared.markLoaded() }
        horizon = next
        covered = max(covered, ticket)
        if changes > 0 { await changed() }
    }

    /// Gives `apply` the documents written by transactions from `since` on, a thousand at a time (so that reading them
    /// all at the start holds a thousand rows, not every one); returns the horizon for the next read (unchanged when
    /// nothing was written). One statement: one snapshot, one round trip.
    private func readDocuments(
        writtenSince since: UInt64, apply: ([(IndexedDocument, [TSVector.Entry])]) -> Void
    ) async throws -> UInt64 {
        let rows = try await reads.postgres.query(
            """
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text, d.id, d.written_by::text, d.status = 'published', d.title, d.description,
                d.category, d.city, d.country, d.price_amount, d.currency, d.duration_minutes, d.languages, d.max_guests, d.rating_average,
                d.rating_count, d.bookings, d.latitude, d.longitude, coalesce(open.starts, '{}'), coalesce(open.remaining, '{}')::int8[],
                d.words::text, d.cover_photo_id
            FROM documents d
            LEFT JOIN LATERAL (
                SELECT array_agg(s.starts_at ORDER BY s.starts_at) AS starts, array_agg(s.remaining ORDER BY s.starts_at) AS remaining
                FROM slots s WHERE s.experience_id = d.id AND s.status = 'open' AND s.remaining > 0 AND s.starts_at > now()
            ) open ON true
            WHERE d.written_by >= \(String(since))::xid8
            """,
            logger: logger
        )
        var horizon = since
        var batch: [(IndexedDocument, [TSVector.Entry])] = []
        for try await row in rows.decode(
            (
                String, UUID, String, Bool, String, String, String, String, String, Int64, String, Int, [String], Int, Double, Int, Int, Double, Double, [Date],
                [Int], String, UUID?
            ).self
        ) {
            horizon = UInt64(row.0) ?? since
            let document = IndexedDocument(
                id: row.1, writtenBy: UInt64(row.2) ?? 0, isPublished: row.3, title: row.4, description: row.5, category: row.6, city: row.7,
                country: row.8, price: Money(amount: row.9, currency: row.10), durationMinutes: row.11, languages: row.12, maxGuests: row.13,
                rating: .init(average: row.14, count: row.15), bookings: row.16, latitude: row.17, longitude: row.18,
                slots: zip(row.19, row.20).map { IndexedDocument.Slot(startsAt: $0, remaining: $1) },
                coverPhotoId: row.22
            )
            batch.append((document, TSVector.parse(row.21)))
            if batch.count == 1000 {
                apply(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { apply(batch) }
        return horizon
    }
}
