import Foundation
import Logging
import PostgresNIO

/// The `attachments` table: who uploaded what (by content hash) and which conversation it was sent in.
struct Attachments: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func insert(_ attachment: Attachment) async throws {
        try await postgres.query(
            """
            INSERT INTO attachments (id, owner_id, content_hash, content_type, size, file_name, created_at)
            VALUES (\(attachment.id), \(attachment.ownerId), \(attachment.sha256), \(attachment.contentType), \(attachment.size),
                    \(attachment.fileName), \(attachment.createdAt))
            """,
            logger: logger
        )
    }

    /// How many attachments `owner` uploaded since `since`, and their bytes.
    func usage(of owner: UUID, since: Date) async throws -> (count: Int, bytes: Int64) {
        let rows = try await postgres.query(
            "SELECT count(*)::int, coalesce(sum(size), 0)::bigint FROM attachments WHERE owner_id = \(owner) AND created_at >= \(since)",
            logger: logger
        )
        for try await usage in rows.decode((Int, Int64).self) { return usage }
        return (0, 0)
    }

    func find(_ id: UUID) async throws -> Attachment? {
        let rows = try await postgres.query(
            "SELECT id, owner_id, conversation_id, content_hash, content_type, size, file_name, created_at FROM attachments WHERE id = \(id)",
            logger: logger
        )
        for try await (id, owner, conversation, hash, type, size, name, createdAt) in rows.decode(
            (UUID, UUID, UUID?, String, String, Int64, String?, Date).self)
        {
            return Attachment(
                id: id, ownerId: owner, conversationId: conversation, sha256: hash, contentType: type, size: size, fileName: name, createdAt: createdAt)
        }
        return nil
    }

    /// Forgets the uploads never sent in a message and older than `cutoff`; returns the hashes no attachment uses any
    /// more, whose bytes can go.
    func forgetUnsent(before cutoff: Date) async throws -> [String] {
        try await hashes(
            "WITH gone AS (DELETE FROM attachments WHERE conversation_id IS NULL AND created_at < \(cutoff) RETURNING id, content_hash) \(unescaped: Self.unused)"
        )
    }

    /// Forgets every upload of `owner`, sent or not (their account is erased); returns the hashes no attachment uses
    /// any more.
    func forgetAll(of owner: UUID) async throws -> [String] {
        try await hashes("WITH gone AS (DELETE FROM attachments WHERE owner_id = \(owner) RETURNING id, content_hash) \(unescaped: Self.unused)")
    }

    /// The hashes of the rows `gone` that no other attachment shares. The statement still sees the rows it deletes:
    /// they do not count.
    private static let unused = """
        SELECT DISTINCT content_hash FROM gone
        WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.content_hash = gone.content_hash AND a.id NOT IN (SELECT id FROM gone))
        """

    private func hashes(_ query: PostgresQuery) async throws -> [String] {
        try await postgres.query(query, logger: logger).decode(String.self).reduce(into: []) { $0.append($1) }
    }
}
