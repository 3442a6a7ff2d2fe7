import Foundation
import Hummingbird

/// A file a member uploaded, stored once per content (`sha256`). It belongs to its uploader until it is sent in a
/// message; from then on the members of that conversation may read it.
struct Attachment: ResponseCodable, Equatable {
    var id: UUID
    var ownerId: UUID
    var conversationId: UUID?
    var sha256: String
    var contentType: String
    var size: Int64
    var fileName: String?
    var createdAt: Date

    /// Types accepted for upload: pictures, PDFs and plain text, which browsers do not run.
    static let acceptedTypes: Set<String> = [
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf", "text/plain",
    ]

    func isReadable(by user: UUID, memberOf conversation: ConversationParties?, isAdmin: Bool) -> Bool {
        isAdmin || user == ownerId || conversation.map { $0.id == conversationId && $0.isMember(user) } == true
    }
}
