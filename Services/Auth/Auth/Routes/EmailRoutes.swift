import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Changing the account's email address: the caller asks with their password, the new address confirms by link.
struct EmailRoutes {
    let auth: AuthService

    struct Change: Decodable {
        var email: String
        var password: String
    }

    struct Confirmation: Decodable {
        var token: String
    }

    func addRoutes(to router: ServiceRouter) {
        router.post("api/v1/auth/me/email", use: requestChange)
        router.post("api/v1/auth/email/confirm", use: confirm)
    }

    /// 202 whether or not a mail goes out, as for registration.
    @Sendable func requestChange(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: Change.self, context: context)
        guard let email = EmailAddress(body.email) else { throw Problem.invalid("email", "must be an email address") }
        guard !body.password.isEmpty else { throw Problem.invalid("password", "must not be empty") }
        try await auth.requestEmailChange(of: user, to: email, password: body.password, client: ClientInfo(request, context: context))
        return Response(status: .accepted)
    }

    @Sendable func confirm(_ request: Request, context: ServiceRequestContext) async throws -> User {
        let body = try await request.decode(as: Confirmation.self, context: context)
        guard (1...256).contains(body.token.unicodeScalars.count) else { throw Problem.invalid("token", "must be the link's token") }
        return try await auth.confirmEmailChange(token: body.token, client: ClientInfo(request, context: context))
    }
}
