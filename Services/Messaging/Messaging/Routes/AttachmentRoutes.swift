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
        let type = request.mediaType
        guard Attachment.acceptedTypes.contains(type) else {
            throw Problem(
                .unsupportedMediaType,
                detail: "Send the file as the raw body with its Content-Type, one of: \(Attachment.acceptedTypes.sorted().joined(separator: ", ")).",
                errors: [.init(field: "Content-Type", message: "must be an accepted file type")]
            )
        }
        let name = try request.uri.queryParameters.get("name").map { name in
            guard (1...200).contains(name.unicodeScalars.count), !name.contains("/"), !name.contains("\\"),
                !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw Problem.invalid("name", "must be a file name of at most 200 characters, without slashes")
            }
            return name
        }
        let length = request.headers[.contentLength].flatMap(Int64.init)
        return try Response.json(try await messaging.upload(request.body, type: type, name: name, length: length, by: caller), status: .created)
    }

    @Sendable func download(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let caller = try context.requireIdentity()
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw Problem.notFound("No such attachment.") }
        let (attachment, bytes) = try await messaging.download(id, by: caller)
        let fileName = (attachment.fileName ?? attachment.id.lowercasedString).replacingOccurrences(of: "\"", with: "'")
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
}
