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

    func find(_ id: UUID) async throws -> Attachment? {
        let rows = try await postgres.query(
            "SELECT id, owner_id, conversation_id, content_hash, content_type, size, file_name, created_at FROM attachments WHERE id = \(id)",
            logger: logger
        )
        for try await (id, owner, conversation, hash, type, size, name, createdAt) in rows.decode((UUID, UUID, UUID?, String, String, Int64, String?, Date).self) {
            return Attachment(id: id, ownerId: owner, conversationId: conversation, sha256: hash, contentType: type, size: size, fileName: name, createdAt: createdAt)
        }
        return nil
    }
}
