import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `POST /api/v1/auth/me/deletion` `{password}` deletes the caller's account: signed out everywhere now, erased
/// after the grace period unless they sign in again before.
struct DeletionRoutes {
    let auth: AuthService

    struct Deletion: Decodable {
        var password: String?
    }

    struct Scheduled: ResponseEncodable {
        var deletionDueAt: Date
    }

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/auth/me/deletion", use: delete)
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: Deletion.self, context: context)
        if let password = body.password, !(1...1024).contains(password.unicodeScalars.count) {
            throw Problem.invalid("password", "must be 1 to 1024 characters")
        }
        let due = try await auth.requestDeletion(of: user, password: body.password, client: ClientInfo(request, context: context))
        return try .json(Scheduled(deletionDueAt: due), status: .accepted)
    }
}
