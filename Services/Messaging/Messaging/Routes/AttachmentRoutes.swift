import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `POST /api/v1/attachments` takes a file as the raw body with its `Content-Type` (and `?name=` for its file
/// name); `GET /api/v1/attachments/{id}` gives it back to its uploader and, once sent, to the conversation's
/// members, as a download that browsers do not render in the site's origin.
struct AttachmentRoutes {
    let messaging: MessagingService

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/attachments", use: upload)
        router.get("api/v1/attachments/:id", use: download)
    }

    @Sendable func upload(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard Attachment.acceptedTypes.contains(type) else {
            throw Problem(
                .unsupportedMediaType,
                detail: "Send the file as the raw body with its Content-Type, one of: \(Attachment.acceptedTypes.sorted().joined(separator: ", ")).",
                errors: [.init(field: "Content-Type", message: "must be an accepted file type")]
            )
        }
        let name = try request.uri.queryParameters.get("name").map { name in
            guard (1...200).contains(name.unicodeScalars.count), !name.contains("/"), !name.contains("\\"), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Problem.invalid("name", "must be a file name of at most 200 characters, without slashes")
            }
            return name
        }
        let limit = messaging.limits.attachmentBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge(limit) }
        let quota = messaging.limits.attachmentQuota
        let used = try await messaging.attachments.usage(of: caller.userID, since: messaging.clock.now().addingTimeInterval(-86_400))
        let allowance = try quota.allowance(used: used.count, bytes: used.bytes)
        let dayRefusal = AttachmentQuota.refusal("At most \(quota.bytesPerDay) bytes of attachments a day: try again later.")
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > allowance { throw dayRefusal }
        let stored: (sha256: String, size: Int64)
        do {
            stored = try await messaging.storage.store(request.body, limit: Int(min(Int64(limit), allowance)))
        } catch is AttachmentTooLarge {
            throw Int64(limit) <= allowance ? tooLarge(limit) : dayRefusal
        }
        guard stored.size > 0 else { throw Problem.invalid("body", "must not be empty") }
        let attachment = Attachment(
            id: UUID(), ownerId: caller.userID, conversationId: nil, sha256: stored.sha256, contentType: type, size: stored.size,
            fileName: name, createdAt: messaging.clock.now()
        )
        try await messaging.attachments.insert(attachment)
        return try Response.json(attachment, status: .created)
    }

    @Sendable func download(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        guard let id = UUID(uuidString: try context.parameters.require("id")), let attachment = try await messaging.attachments.find(id) else {
            throw Problem.notFound("No such attachment.")
        }
        var conversation: Conversation?
        if let sentIn = attachment.conversationId { conversation = try? await messaging.conversation(sentIn, for: caller) }
        guard attachment.isReadable(by: caller.userID, memberOf: conversation, isAdmin: caller.role == .admin),
              let bytes = try await messaging.storage.read(attachment.sha256)
        else { throw Problem.notFound("No such attachment.") }
        let fileName = (attachment.fileName ?? attachment.id.uuidString.lowercased()).replacingOccurrences(of: "\"", with: "'")
        return Response(
            status: .ok,
            headers: [
                .contentType: attachment.contentType,
                .contentDisposition: "attachment; filename=\"\(fileName)\"",
                .xContentTypeOptions: "nosniff",
                .contentSecurityPolicy: "sandbox; default-src 'none'",
                .cacheControl: "private, max-age=86400, immutable",
                .eTag: "\"\(attachment.sha256)\"",
            ],
            body: .init(byteBuffer: bytes)
        )
    }

    private func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, detail: "An attachment may be at most \(limit) bytes.", errors: [.init(field: "body", message: "must be at most \(limit) bytes")])
    }
}
