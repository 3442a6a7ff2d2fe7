import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `POST /api/v1/auth/me/exports` asks for an archive of everything MayaGo holds about the caller (202; the one
/// being made if there is one), `GET /api/v1/auth/me/exports/{id}` says how it is going, and the mailed link
/// `GET /api/v1/auth/exports/download?token=` downloads it, once.
struct ExportRoutes {
    let auth: AuthService

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/auth/me/exports", use: request)
        router.get("api/v1/auth/me/exports/:id", use: show)
        router.get("api/v1/auth/exports/download", use: download)
    }

    @Sendable func request(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try .json(try await auth.requestExport(for: try await auth.currentUser(context)), status: .accepted)
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> DataExport {
        let user = try await auth.currentUser(context)
        guard let id = UUID(uuidString: try context.parameters.require("id")) else { throw Problem.notFound("No such export.") }
        return try await auth.export(id, of: user)
    }

    @Sendable func download(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        guard let token = request.uri.queryParameters.get("token"), (1...256).contains(token.unicodeScalars.count) else {
            throw Problem.invalid("token", "must be the link's token")
        }
        return try await auth.downloadExport(token: token)
    }
}
