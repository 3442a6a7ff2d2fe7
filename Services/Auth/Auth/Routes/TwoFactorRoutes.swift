import Foundation
import Hummingbird
import ServiceKit

/// TOTP two-factor authentication: enrol (a secret and its `otpauth://` URI), confirm with a first code (which
/// turns it on and hands out ten recovery codes), disable with a code.
struct TwoFactorRoutes {
    let auth: AuthService

    struct Enrolment: ResponseCodable {
        /// The secret in base32, for typing into an authenticator app.
        var secret: String
        var otpauthUri: String
    }

    struct CodeBody: Decodable {
        var code: String
    }

    struct Confirmation: ResponseCodable {
        var recoveryCodes: [String]
    }

    func addRoutes(to router: ServiceRouter) {
        let group = router.group("api/v1/auth/2fa")
        group.post("enroll", use: enroll)
        group.post("confirm", use: confirm)
        group.post("disable", use: disable)
    }

    @Sendable func enroll(_ request: Request, context: ServiceRequestContext) async throws -> Enrolment {
        let (secret, uri) = try await auth.enrollSecondFactor(for: try await auth.currentUser(context))
        return Enrolment(secret: secret, otpauthUri: uri)
    }

    @Sendable func confirm(_ request: Request, context: ServiceRequestContext) async throws -> Confirmation {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: CodeBody.self, context: context)
        return Confirmation(recoveryCodes: try await auth.confirmSecondFactor(of: user, code: body.code, client: ClientInfo(request, context: context)))
    }

    @Sendable func disable(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: CodeBody.self, context: context)
        try await auth.disableSecondFactor(of: user, code: body.code, client: ClientInfo(request, context: context))
        return Response(status: .noContent)
    }
}
