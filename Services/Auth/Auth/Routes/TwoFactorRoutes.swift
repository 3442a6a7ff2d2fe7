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
        let user = try await auth.currentUser(context)
        guard !user.totpEnabled else { throw Problem.conflict("Two-factor authentication is on already.", code: "totp_enabled") }
        let secret = TOTPCode.makeSecret()
        try await auth.users.setPendingTOTPSecret(secret, of: user.id, at: auth.clock.now())
        let uri = TOTPCode.uri(secret: secret, account: user.email)
        let base32 = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return Enrolment(secret: base32, otpauthUri: uri)
    }

    @Sendable func confirm(_ request: Request, context: ServiceRequestContext) async throws -> Confirmation {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: CodeBody.self, context: context)
        guard !user.totpEnabled else { throw Problem.conflict("Two-factor authentication is on already.", code: "totp_enabled") }
        guard let secret = user.totpSecret else { throw Problem.conflict("Enrol first.", code: "totp_not_enrolled") }
        let now = auth.clock.now()
        guard let step = TOTPCode.matchingStep(body.code, secret: secret, at: now) else { throw Problem.refused("code", "is incorrect") }
        let client = ClientInfo(request, context: context)
        let codes = try await auth.transaction { connection in
            try await auth.users.setTOTPEnabled(true, of: user.id, lastStep: step, at: now, on: connection)
            try await auth.audit.record(.twoFactorEnabled, userID: user.id, client: client, on: connection)
            return try await auth.recoveryCodes.regenerate(for: user.id, on: connection)
        }
        return Confirmation(recoveryCodes: codes)
    }

    @Sendable func disable(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try await auth.currentUser(context)
        let body = try await request.decode(as: CodeBody.self, context: context)
        guard user.totpEnabled else { throw Problem.conflict("Two-factor authentication is off.", code: "totp_disabled") }
        let client = ClientInfo(request, context: context)
        guard try await auth.acceptSecondFactor(body.code, of: user, client: client) else { throw Problem.refused("code", "is incorrect") }
        try await auth.transaction { connection in
            try await auth.users.setTOTPEnabled(false, of: user.id, lastStep: nil, at: auth.clock.now(), on: connection)
            try await auth.recoveryCodes.removeAll(of: user.id, on: connection)
            try await auth.audit.record(.twoFactorDisabled, userID: user.id, client: client, on: connection)
        }
        return Response(status: .noContent)
    }
}
