import Contracts
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit

/// An entry of a user's in-app inbox.
struct InboxEntry: ResponseCodable, Sendable, Equatable {
    var id: UUID
    var type: NotificationType
    var title: String
    var body: String
    var data: [String: JSONValue]
    var readAt: Date?
    var createdAt: Date
}

/// The `inbox_entries` table: one entry per in-app job, so that a repeated job writes it once.
struct Inbox: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// An in-app job's entry, as made ready at `at`.
    struct Filed: Sendable {
        var job: ClaimedJob
        var message: RenderedMessage
        var at: Date
    }

    /// Writes the entries of several jobs in one statement; a job's entry written before stays as it was.
    func add(_ entries: [Filed]) async throws {
        let data = try entries.map { String(decoding: try JSONEncoder.mayaGo.encode($0.job.data), as: UTF8.self) }
        try await postgres.query(
            """
            INSERT INTO inbox_entries (id, job_id, user_id, type, title, body, data, created_at)
            SELECT id, job_id, user_id, type, title, body, data::jsonb, created_at
            FROM unnest(\(entries.map { _ in UUID.random() }), \(entries.map(\.job.id)), \(entries.map(\.job.recipientId)),
                        \(entries.map(\.job.type.rawValue)), \(entries.map(\.message.subject)), \(entries.map(\.message.short)), \(data),
                        \(entries.map(\.at))) AS e(id, job_id, user_id, type, title, body, data, created_at)
            ON CONFLICT (job_id) DO NOTHING
            """,
            logger: logger
        )
    }

    /// The user's entries, newest first, older than `cursor`.
    func page(of user: UUID, before cursor: KeysetCursor?, limit: Int) async throws -> [InboxEntry] {
        try await list(
            """
            SELECT \(unescaped: Self.columns) FROM inbox_entries
            WHERE user_id = \(user) AND (\(cursor?.time)::timestamptz IS NULL OR (created_at, id) < (\(cursor?.time), \(cursor?.id)::uuid))
            ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """
        )
    }

    func unreadCount(of user: UUID) async throws -> Int {
        let rows = try await postgres.query("SELECT count(*)::int FROM inbox_entries WHERE user_id = \(user) AND read_at IS NULL", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Marks the user's entry read (the first time); `nil` when the user has no such entry.
    func markRead(_ id: UUID, of user: UUID, at now: Date) async throws -> InboxEntry? {
        try await list(
            """
            UPDATE inbox_entries SET read_at = coalesce(read_at, \(now)) WHERE id = \(id) AND user_id = \(user)
            RETURNING \(unescaped: Self.columns)
            """
        ).first
    }

    /// Marks every unread entry of the user read; returns how many.
    func markAllRead(of user: UUID, at now: Date) async throws -> Int {
        let rows = try await postgres.query(
            "WITH marked AS (UPDATE inbox_entries SET read_at = \(now) WHERE user_id = \(user) AND read_at IS NULL RETURNING 1) SELECT count(*)::int FROM marked",
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    private static let columns = "id, type, title, body, data::text, read_at, created_at"

    private func list(_ query: PostgresQuery) async throws -> [InboxEntry] {
        var entries: [InboxEntry] = []
        let rows = try await postgres.query(query, logger: logger)
        for try await (id, type, title, body, data, readAt, createdAt) in rows.decode((UUID, String, String, String, String, Date?, Date).self) {
            entries.append(
                InboxEntry(
                    id: id, type: NotificationType(rawValue: type), title: title, body: body,
                    data: (try? JSONDecoder.mayaGo.decode([String: JSONValue].self, from: Data(data.utf8))) ?? [:], readAt: readAt, createdAt: createdAt
                ))
        }
        return entries
    }
}
