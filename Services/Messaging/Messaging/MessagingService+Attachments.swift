import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// Files sent in conversations: stored once by content, readable by their uploader and, once sent, by the
/// conversation's members; each user may upload so much a day.
extension MessagingService {
    /// Stores the upload `body` (of `type`, announced as `length` bytes when known) for `caller`, within the size
    /// limit and their daily allowance.
    func upload(_ body: RequestBody, type: String, name: String?, length: Int64?, by caller: Identity) async throws -> Attachment {
        let limit = limits.attachmentBytes
        if let length, length > Int64(limit) { throw Self.tooLarge(limit) }
        let quota = limits.attachmentQuota
        let used = try await attachments.usage(of: caller.userID, since: clock.now().addingTimeInterval(-86_400))
        let allowance = try quota.allowance(used: used.count, bytes: used.bytes)
        let dayRefusal = AttachmentQuota.refusal("At most \(quota.bytesPerDay) bytes of attachments a day: try again later.")
        if let length, length > allowance { throw dayRefusal }
        let stored: (sha256: String, size: Int64)
        do {
            stored = try await files.store(body, limit: Int(min(Int64(limit), allowance)), contentType: type)
        } catch is AttachmentTooLarge {
            throw Int64(limit) <= allowance ? Self.tooLarge(limit) : dayRefusal
        }
        guard stored.size > 0 else { throw Problem.invalid("body", "must not be empty") }
        let attachment = Attachment(
            id: UUID.random(), ownerId: caller.userID, conversationId: nil, sha256: stored.sha256, contentType: type, size: stored.size,
            fileName: name, createdAt: clock.now()
        )
        try await attachments.insert(attachment)
        return attachment
    }

    /// Attachment `id` and its bytes, for its uploader, the members of the conversation it was sent in, and admins;
    /// 404 for anyone else.
    func download(_ id: UUID, by caller: Identity) async throws -> (Attachment, ByteBuffer) {
        guard let attachment = try await attachments.find(id) else { throw Problem.notFound("No such attachment.") }
        var conversation: ConversationParties?
        if let sentIn = attachment.conversationId { conversation = try? await parties(sentIn, for: caller) }
        guard attachment.isReadable(by: caller.userID, memberOf: conversation, isAdmin: caller.role == .admin),
            let bytes = try await files.read(attachment.sha256)
        else { throw Problem.notFound("No such attachment.") }
        return (attachment, bytes)
    }

    private static func tooLarge(_ limit: Int) -> Problem {
        Problem(
            .contentTooLarge, detail: "An attachment may be at most \(limit) bytes.", errors: [.init(field: "body", message: "must be at most \(limit) bytes")])
    }
}
