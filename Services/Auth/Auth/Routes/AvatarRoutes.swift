import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `PUT /api/v1/auth/me/avatar` takes the caller's avatar as the raw body with its `Content-Type` (202: its sizes
/// follow, and the profile's `avatarUrl` with them); `DELETE` removes it; `GET /api/v1/auth/users/{id}/avatars/
/// {version}/{file}` serves a size (`128.webp` … `512.jpg`) to anyone, cached for good.
struct AvatarRoutes {
    let auth: AuthService

    struct Uploaded: ResponseEncodable {
        var version: Int64
        var status = "processing"
    }

    func addRoutes(to router: ServiceRouter) {
        router.put("api/v1/auth/me/avatar", use: upload)
        router.delete("api/v1/auth/me/avatar", use: remove)
        router.get("api/v1/auth/users/:id/avatars/:version/:file", use: file)
    }

    @Sendable func upload(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        let version = try await auth.uploadAvatar(request.body, type: request.mediaType, length: request.headers[.contentLength].flatMap(Int64.init), of: user)
        return try .json(Uploaded(version: version), status: .accepted)
    }

    @Sendable func remove(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await auth.removeAvatar(of: try await auth.currentUser(context).id)
        return Response(status: .noContent)
    }

    @Sendable func file(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let id = UUID(uuidString: try context.parameters.require("id")), let version = Int64(try context.parameters.require("version")) else {
            throw Problem.notFound("No such avatar.")
        }
        let (key, mediaType) = try await auth.avatarFile(of: id, version: version, name: try context.parameters.require("file"))
        let headers: HTTPFields = [
            .contentType: mediaType, .cacheControl: "public, max-age=31536000, immutable", .xContentTypeOptions: "nosniff",
            .contentSecurityPolicy: "sandbox; default-src 'none'",
        ]
        guard let answer = try await auth.objects.answer(key, headers: headers, signedFor: .seconds(3600), redirectCaching: "public, max-age=600")
        else { throw Problem.notFound("No such avatar.") }
        return answer
    }
}
