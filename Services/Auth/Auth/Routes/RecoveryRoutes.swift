import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Email verification and password reset, each by a single-use, expiring token sent by mail through Notify.
struct RecoveryRoutes {
    let auth: AuthService

    struct TokenBody: Decodable {
        var token: String
    }

    struct ResetRequest: Decodable {
        var email: String
    }

    struct Reset: Decodable {
        var token: String
        var password: String
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth")
        group.post("verify-email/request", use: requestVerification)
        group.post("verify-email", use: verifyEmail)
        group.post("password-reset/request", use: requestReset)
        group.post("password-reset", use: reset)
    }

    /// 202 whether or not a mail goes out (none when the address is verified already).
    @Sendable func requestVerification(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await auth.requestVerification(for: try await auth.currentUser(context))
        return Response(status: .accepted)
    }

    @Sendable func verifyEmail(_ request: Request, context: ServiceRequestContext) async throws -> User {
        let body = try await request.decode(as: TokenBody.self, context: context)
        return try await auth.verifyEmail(token: body.token, client: ClientInfo(request, context: context))
    }

    /// Always 202, so that the answer does not tell whether the email has an account.
    @Sendable func requestReset(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: ResetRequest.self, context: context)
        guard let email = EmailAddress(body.email) else { throw Problem.invalid("email", "must be an email address") }
        try await auth.requestPasswordReset(for: email)
        return Response(status: .accepted)
    }

    /// Sets the new password and ends every session of the user.
    @Sendable func reset(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let body = try await request.decode(as: Reset.self, context: context)
        try await auth.resetPassword(token: body.token, to: body.password, client: ClientInfo(request, context: context))
        return Response(status: .noContent)
    }
}
